/**
 * Read-only checks: is a token still accepted? `active`, `inactive` or `unknown`, once per unique
 * secret, cached, requests to one host spaced out.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fingerprint, type Finding, type RuleDefinition } from '@tokenward/engine';
import { effectiveBase, type EndpointOverrides } from './endpoints.js';
import { HttpClient } from './http.js';
import { checkSteps, describeError, is2xx, matches, runSteps, StepFailure } from './steps.js';
import { scrub } from './scrub.js';

export type VerifyStatus = 'active' | 'inactive' | 'unknown';

export interface VerifyResult {
  status: VerifyStatus;
  /** Last HTTP status seen, when a request was answered. */
  httpStatus?: number;
  /** Why the answer is `unknown`, or what was seen. Never contains the secret. */
  detail?: string;
  /** Host that was asked. */
  host?: string;
  /** ISO time of the check (cache entries keep theirs). */
  checkedAt?: string;
  cached?: boolean;
}

export interface VerifyCache {
  get(fp: string): VerifyResult | undefined;
  set(fp: string, result: VerifyResult): void;
  /** Persists, for file-backed caches. */
  save?(): void;
}

/** In-memory cache, optionally loaded from and saved to a JSON file keyed by fingerprint (no secrets). */
export function createVerifyCache(options: { file?: string; ttlMs?: number; now?: () => number } = {}): VerifyCache {
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, VerifyResult>();
  if (options.file) {
    try {
      const data = JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, VerifyResult>;
      for (const [k, v] of Object.entries(data)) entries.set(k, v);
    } catch {
      // Missing or unreadable cache: start empty (it is only a cache).
    }
  }
  const fresh = (r: VerifyResult) => r.checkedAt !== undefined && now() - Date.parse(r.checkedAt) < ttl;
  return {
    get(fp) {
      const r = entries.get(fp);
      return r && fresh(r) ? { ...r, cached: true } : undefined;
    },
    set(fp, result) {
      const { cached: _cached, ...rest } = result;
      entries.set(fp, rest);
    },
    save() {
      if (!options.file) return;
      mkdirSync(dirname(options.file), { recursive: true });
      const live = Object.fromEntries([...entries].filter(([, r]) => fresh(r)));
      writeFileSync(options.file, `${JSON.stringify(live, null, 2)}\n`);
    },
  };
}

export interface VerifyOptions {
  endpoints?: EndpointOverrides;
  http?: HttpClient;
  cache?: VerifyCache;
  /** Clock for `checkedAt`. */
  now?: () => Date;
}

/** Default client for checks: spaced requests so a scan with many findings does not hammer a provider. */
export const verifyHttpClient = () => new HttpClient({ minIntervalMs: 250, timeoutMs: 10_000 });

/** Checks one secret with its rule's read-only call (through the cache when given). Never throws for provider problems. */
export async function verifySecret(rule: RuleDefinition, secret: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const fp = fingerprint(rule.id, secret);
  const hit = options.cache?.get(fp);
  if (hit) return hit;
  const result = await verifyUncached(rule, secret, options);
  // Only definite answers are cached: an outage should be retried next time.
  if (result.status !== 'unknown') options.cache?.set(fp, result);
  return result;
}

async function verifyUncached(rule: RuleDefinition, secret: string, options: VerifyOptions): Promise<VerifyResult> {
  const checkedAt = (options.now?.() ?? new Date()).toISOString();
  const spec = rule.verify;
  if (!spec) return { status: 'unknown', detail: 'no read-only check for this rule', checkedAt };
  checkSteps(rule, 'verify', spec.steps, false);
  const http = options.http ?? verifyHttpClient();
  const host = effectiveBase(rule, spec.origin, options.endpoints).base.host;
  const last = spec.steps.length - 1;
  let result: VerifyResult | undefined;
  try {
    await runSteps({
      rule,
      origin: spec.origin,
      steps: spec.steps,
      vars: { secret },
      http,
      endpoints: options.endpoints,
      onResponse(res, i) {
        if (matches(res, spec.inactive, (s) => s === 401)) {
          result = { status: 'inactive', httpStatus: res.status, detail: `the provider rejected the token (${res.status})`, host, checkedAt };
          return 'stop';
        }
        if (i === last) {
          // A 2xx HTML page (captive portal, login page, proxy) is not the provider's API saying yes.
          const html = /text\/html/i.test(res.headers.get('content-type') ?? '');
          result = !html && matches(res, spec.active, is2xx)
            ? { status: 'active', httpStatus: res.status, detail: `the provider accepted the token (${res.status})`, host, checkedAt }
            : { status: 'unknown', httpStatus: res.status, detail: `unexpected answer ${res.status}${describeError(res)}`, host, checkedAt };
          return 'stop';
        }
        return undefined;
      },
    });
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e;
    result = { status: 'unknown', detail: e.message, host, checkedAt };
    if (e.status !== undefined) result.httpStatus = e.status;
  }
  result ??= { status: 'unknown', detail: 'no answer', host, checkedAt };
  if (result.detail) result.detail = scrub(result.detail, [secret]);
  return result;
}

export interface VerifiedSecret {
  rule: RuleDefinition;
  finding: Finding;
  occurrences: Finding[];
  fingerprint: string;
  result: VerifyResult;
}

/**
 * Verifies each unique secret once (deduplicated across files, commits and rules), using the cache.
 * Returns one entry per unique secret plus a lookup by every finding's fingerprint.
 */
export async function verifyFindings(
  findings: readonly Finding[],
  rules: readonly RuleDefinition[],
  options: VerifyOptions = {},
): Promise<{ secrets: VerifiedSecret[]; byFingerprint: Map<string, VerifyResult> }> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const groups = new Map<string, { rule: RuleDefinition; findings: Finding[] }>();
  for (const f of findings) {
    const rule = byId.get(f.ruleId);
    if (!rule) continue;
    const g = groups.get(f.secret);
    if (!g) groups.set(f.secret, { rule, findings: [f] });
    else {
      g.findings.push(f);
      if (!g.rule.verify && rule.verify) g.rule = rule;
    }
  }
  const http = options.http ?? verifyHttpClient();
  const secrets: VerifiedSecret[] = [];
  const byFingerprint = new Map<string, VerifyResult>();
  for (const [secret, g] of groups) {
    const fp = fingerprint(g.rule.id, secret);
    const result = await verifySecret(g.rule, secret, { ...options, http });
    const finding = g.findings.find((f) => f.ruleId === g.rule.id) ?? g.findings[0]!;
    secrets.push({ rule: g.rule, finding, occurrences: g.findings, fingerprint: fp, result });
    for (const f of g.findings) byFingerprint.set(f.fingerprint, result);
  }
  options.cache?.save?.();
  return { secrets, byFingerprint };
}
