/**
 * `--endpoint github=http://127.0.0.1:8080` replaces a provider's origin and keeps its documented
 * paths (GitHub Enterprise Server, self-managed GitLab, tests). A path on the override is kept as
 * a prefix: `github=https://ghe.example.com/api/v3`. Every override remembers where it came from,
 * so a plan can say why a token goes somewhere other than the rule's host.
 */
import type { RuleDefinition } from '@tokenward/engine';

/** `GitHub` → `github`, `Hugging Face` → `huggingface`, `crates.io` → `cratesio`. */
export function providerKey(provider: string): string {
  return provider.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export interface EndpointOverride {
  url: URL;
  /** Where it was configured: `--endpoint`, the user's configuration file, a trusted project file. */
  source: string;
  /** The key as written (`github`, `github-pat-classic`). */
  key: string;
}

/** Overrides by provider key or rule id. */
export type EndpointOverrides = ReadonlyMap<string, EndpointOverride>;

export class EndpointError extends Error {
  override name = 'EndpointError';
}

export interface ParseEndpointOptions {
  /** Shown in plans and errors (default `--endpoint`). */
  source?: string;
  /** `--allow-insecure-endpoint`: plain http: to a host that is not this machine. */
  allowInsecure?: boolean;
}

/** Parses `provider=origin` pairs (flags or config). */
export function parseEndpoints(pairs: readonly string[] | Record<string, string>, options: ParseEndpointOptions = {}): Map<string, EndpointOverride> {
  const source = options.source ?? '--endpoint';
  const entries = Array.isArray(pairs)
    ? pairs.map((p) => {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new EndpointError(`--endpoint takes provider=origin, e.g. github=https://ghe.example.com/api/v3 (got "${p}")`);
        return [p.slice(0, eq), p.slice(eq + 1)] as const;
      })
    : Object.entries(pairs);
  const out = new Map<string, EndpointOverride>();
  for (const [key, origin] of entries) {
    const what = `endpoint "${key}" (${source})`;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new EndpointError(`${what} is not a URL: ${origin}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EndpointError(`${what} must be http(s): ${origin}`);
    // Clear text only where it cannot leave the machine, unless the command line says otherwise.
    if (url.protocol === 'http:' && !isLoopback(url.hostname) && !options.allowInsecure) {
      throw new EndpointError(`${what} uses plain http: to ${url.hostname}, which is not this machine: tokens would cross the network in clear text; use https: (or --allow-insecure-endpoint)`);
    }
    if (url.username || url.password || url.search || url.hash) throw new EndpointError(`${what} must be an origin with an optional path, nothing else: ${origin}`);
    out.set(providerKey(key), { url, source, key });
  }
  return out;
}

/** Small edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * Every override must name a provider or rule that contacts a host: a typo (`gthub`) would
 * otherwise be ignored and the token sent to the production host.
 */
export function checkEndpointKeys(overrides: EndpointOverrides, rules: readonly RuleDefinition[]): void {
  const networked = rules.filter((r) => r.verify || r.revoke);
  const providers = new Set(networked.map((r) => providerKey(r.provider)));
  const ids = new Set(networked.map((r) => providerKey(r.id)));
  for (const [k, o] of overrides) {
    if (providers.has(k) || ids.has(k)) continue;
    const near = [...providers, ...networked.map((r) => r.id)].filter((p) => distance(providerKey(p), k) <= 2);
    const hint = near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
    throw new EndpointError(
      `endpoint "${o.key}" (${o.source}) names no provider or rule that contacts a host.${hint} Known providers: ${[...providers].sort().join(', ')}; or a rule id (tokenward rules).`,
    );
  }
}

export interface EffectiveBase {
  base: URL;
  /** The override used, when there is one. */
  override?: EndpointOverride;
}

/** The effective base for a rule's origin: the override (by rule id, else provider) when there is one. */
export function effectiveBase(rule: { id: string; provider: string }, origin: string, overrides: EndpointOverrides | undefined): EffectiveBase {
  const o = overrides?.get(providerKey(rule.id)) ?? overrides?.get(providerKey(rule.provider));
  return o ? { base: o.url, override: o } : { base: new URL(origin) };
}

/** One line saying why requests go where they go: `override github=… from --endpoint, instead of api.github.com`. */
export function describeOverride(o: EndpointOverride, origin: string): string {
  return `override ${o.key}=${o.url.href.replace(/\/$/, '')} from ${o.source}, instead of ${new URL(origin).host}`;
}

/** base + documented path (the rendered path may carry a query). */
export function joinUrl(base: URL, path: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${prefix}${path}`);
}
