/**
 * `--endpoint github=http://127.0.0.1:8080` replaces a provider's origin and keeps its documented
 * paths (GitHub Enterprise Server, self-managed GitLab, tests). A path on the override is kept as
 * a prefix: `github=https://ghe.example.com/api/v3`.
 */

/** `GitHub` → `github`, `Hugging Face` → `huggingface`, `crates.io` → `cratesio`. */
export function providerKey(provider: string): string {
  return provider.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Overrides by provider key. */
export type EndpointOverrides = ReadonlyMap<string, URL>;

export class EndpointError extends Error {
  override name = 'EndpointError';
}

/** Parses `provider=origin` pairs (flags or config). */
export function parseEndpoints(pairs: readonly string[] | Record<string, string>): Map<string, URL> {
  const entries = Array.isArray(pairs)
    ? pairs.map((p) => {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new EndpointError(`--endpoint takes provider=origin, e.g. github=https://ghe.example.com/api/v3 (got "${p}")`);
        return [p.slice(0, eq), p.slice(eq + 1)] as const;
      })
    : Object.entries(pairs);
  const out = new Map<string, URL>();
  for (const [provider, origin] of entries) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new EndpointError(`endpoint for "${provider}" is not a URL: ${origin}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EndpointError(`endpoint for "${provider}" must be http(s): ${origin}`);
    // Clear text only where it cannot leave the machine, whoever configured it.
    if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw new EndpointError(`endpoint for "${provider}" uses plain http: to a non-loopback host (${url.hostname}); use https:`);
    if (url.username || url.password || url.search || url.hash) throw new EndpointError(`endpoint for "${provider}" must be an origin with an optional path, nothing else: ${origin}`);
    out.set(providerKey(provider), url);
  }
  return out;
}

/** The effective base for a rule's origin: the override (by rule id, else provider) when there is one. */
export function effectiveBase(rule: { id: string; provider: string }, origin: string, overrides: EndpointOverrides | undefined): { base: URL; overridden: boolean } {
  const o = overrides?.get(providerKey(rule.id)) ?? overrides?.get(providerKey(rule.provider));
  return o ? { base: o, overridden: true } : { base: new URL(origin), overridden: false };
}

/** base + documented path (the rendered path may carry a query). */
export function joinUrl(base: URL, path: string): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${base.origin}${prefix}${path}`);
}
