/**
 * Read-only checks: is a token still accepted? `active`, `inactive` or `unknown`, once per unique
 * secret, cached, requests to one host spaced out.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fingerprint, type Finding, type RuleDefinition } from '@tokenward/engine';
import { readAccess, type AccessMap } from './access.js';
import { describeOverride, effectiveBase, type EndpointOverrides } from './endpoints.js';
import { HttpClient } from './http.js';
import { checkSteps, describeError, is2xx, JSON_ERROR, matches, runSteps, StepFailure, type ParsedResponse } from './steps.js';
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
  /** Why that host and not the rule's: the endpoint override and where it was configured. */
  override?: string;
  /** ISO time of the check (cache entries keep theirs). */
  checkedAt?: string;
  cached?: boolean;
  /** Active tokens: who the token belongs to and what it reaches (rules with `verify.access`). */
  access?: AccessMap;
}

/**
 * Cached answers, keyed by rule + effective origin + fingerprint: an answer from one host never
 * stands in for another (a test stand-in's `active` is not GitHub's).
 */
export interface VerifyCache {
  get(key: string): VerifyResult | undefined;
  set(key: string, result: VerifyResult): void;
  /** Persists, for file-backed caches. */
  save?(): void;
}

const CACHE_VERSION = 2;

/** The cache key of one check. */
export const verifyCacheKey = (ruleId: string, origin: string, fp: string): string => `${ruleId} ${origin} ${fp}`;

/** Default lifetime of a cached answer. */
export const VERIFY_CACHE_TTL_MS = 60 * 60 * 1000;

/** In-memory cache, optionally loaded from and saved to a JSON file (fingerprints, never secrets). Entries expire. */
export function createVerifyCache(options: { file?: string; ttlMs?: number; now?: () => number } = {}): VerifyCache {
  const ttl = options.ttlMs ?? VERIFY_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, VerifyResult>();
  const fresh = (r: VerifyResult) => r.checkedAt !== undefined && now() - Date.parse(r.checkedAt) < ttl;
  if (options.file) {
    try {
      const data = JSON.parse(readFileSync(options.file, 'utf8')) as { version?: number; entries?: Record<string, VerifyResult> };
      // Files of older versions (keyed by fingerprint alone) are dropped, not trusted.
      if (data.version === CACHE_VERSION) for (const [k, v] of Object.entries(data.entries ?? {})) if (fresh(v)) entries.set(k, v);
    } catch {
      // Missing or unreadable cache: start empty (it is only a cache).
    }
  }
  return {
    get(key) {
      const r = entries.get(key);
      return r && fresh(r) ? { ...r, cached: true } : undefined;
    },
    set(key, result) {
      const { cached: _cached, ...rest } = result;
      entries.set(key, rest);
    },
    save() {
      if (!options.file) return;
      mkdirSync(dirname(options.file), { recursive: true });
      const live = Object.fromEntries([...entries].filter(([, r]) => fresh(r)));
      writeFileSync(options.file, `${JSON.stringify({ version: CACHE_VERSION, entries: live }, null, 2)}\n`, { mode: 0o600 });
    },
  };
}

export interface VerifyOptions {
  endpoints?: EndpointOverrides;
  http?: HttpClient;
  cache?: VerifyCache;
  /** Clock for `checkedAt`. */
  now?: () => Date;
  /** Read the access map of active tokens (default true). */
  access?: boolean;
  /** The finding's fingerprint, when known (else computed from rule + secret). */
  fingerprint?: string;
}

/** Default client for checks: spaced requests so a scan with many findings does not hammer a provider. */
export const verifyHttpClient = () => new HttpClient({ minIntervalMs: 250, timeoutMs: 10_000 });

/** Host and override reason of a rule's check, without calling anything. */
export function verifyTarget(rule: RuleDefinition, endpoints: EndpointOverrides | undefined): { origin: string; host: string; override?: string } | undefined {
  if (!rule.verify) return undefined;
  const { base, override } = effectiveBase(rule, rule.verify.origin, endpoints);
  return override ? { origin: base.href, host: base.host, override: describeOverride(override, rule.verify.origin) } : { origin: base.href, host: base.host };
}

/** Checks one secret with its rule's read-only call (through the cache when given). Never throws for provider problems. */
export async function verifySecret(rule: RuleDefinition, secret: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const target = verifyTarget(rule, options.endpoints);
  const key = target ? verifyCacheKey(rule.id, target.origin, options.fingerprint ?? fingerprint(rule.id, secret)) : undefined;
  const hit = key ? options.cache?.get(key) : undefined;
  // A cached `active` without its access map (asked for without one) is asked again.
  if (hit && (hit.status !== 'active' || hit.access || options.access === false || !rule.verify?.access)) return hit;
  const result = await verifyUncached(rule, secret, options);
  // Only definite answers are cached: an outage should be retried next time.
  if (key && result.status !== 'unknown') options.cache?.set(key, result);
  return result;
}

const isJsonBody = (res: ParsedResponse) => res.json !== undefined && res.json !== JSON_ERROR;

async function verifyUncached(rule: RuleDefinition, secret: string, options: VerifyOptions): Promise<VerifyResult> {
  const checkedAt = (options.now?.() ?? new Date()).toISOString();
  const spec = rule.verify;
  if (!spec) return { status: 'unknown', detail: 'no read-only check for this rule', checkedAt };
  checkSteps(rule, 'verify', spec.steps, false);
  const http = options.http ?? verifyHttpClient();
  const { base, override } = effectiveBase(rule, spec.origin, options.endpoints);
  const at = { host: base.host, ...(override ? { override: describeOverride(override, spec.origin) } : {}), checkedAt };
  const last = spec.steps.length - 1;
  let result: VerifyResult | undefined;
  let answer: ParsedResponse | undefined;
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
          result = { status: 'inactive', httpStatus: res.status, detail: `the provider rejected the token (${res.status})`, ...at };
          return 'stop';
        }
        if (i === last) {
          // Only the provider's API saying yes counts: a 2xx HTML page (captive portal, login page,
          // proxy) or any other non-JSON body is not that answer.
          const html = /text\/html/i.test(res.headers.get('content-type') ?? '');
          if (!html && isJsonBody(res) && matches(res, spec.active, is2xx)) {
            result = { status: 'active', httpStatus: res.status, detail: `the provider accepted the token (${res.status})`, ...at };
            answer = res;
          } else {
            const why = html ? ' (an HTML page, not the API)' : !isJsonBody(res) && is2xx(res.status) ? ' (not a JSON answer)' : describeError(res);
            result = { status: 'unknown', httpStatus: res.status, detail: `unexpected answer ${res.status}${why}`, ...at };
          }
          return 'stop';
        }
        return undefined;
      },
    });
  } catch (e) {
    if (!(e instanceof StepFailure)) throw e;
    result = { status: 'unknown', detail: e.message, ...at };
    if (e.status !== undefined) result.httpStatus = e.status;
  }
  result ??= { status: 'unknown', detail: 'no answer', ...at };
  if (result.detail) result.detail = scrub(result.detail, [secret]);
  if (answer && options.access !== false) {
    const access = await readAccess({ rule, secret, verified: answer, base, http });
    if (access) result.access = access;
  }
  return result;
}

export interface VerifiedSecret {
  rule: RuleDefinition;
  finding: Finding;
  occurrences: Finding[];
  fingerprint: string;
  result: VerifyResult;
}

/** Findings grouped by secret, with the rule that checks it (one that can verify, when any can). */
export function groupBySecret(findings: readonly Finding[], rules: readonly RuleDefinition[]): { secret: string; rule: RuleDefinition; finding: Finding; findings: Finding[] }[] {
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
  return [...groups].map(([secret, g]) => ({ secret, rule: g.rule, findings: g.findings, finding: g.findings.find((f) => f.ruleId === g.rule.id) ?? g.findings[0]! }));
}

/** Hosts `verifyFindings` would ask, one entry per unique secret with a check (nothing is sent). */
export function verifyHosts(findings: readonly Finding[], rules: readonly RuleDefinition[], endpoints: EndpointOverrides | undefined): { host: string; override?: string }[] {
  return groupBySecret(findings, rules).flatMap((g) => {
    const t = verifyTarget(g.rule, endpoints);
    return t ? [t.override ? { host: t.host, override: t.override } : { host: t.host }] : [];
  });
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
  const http = options.http ?? verifyHttpClient();
  const secrets: VerifiedSecret[] = [];
  const byFingerprint = new Map<string, VerifyResult>();
  for (const g of groupBySecret(findings, rules)) {
    const fp = g.finding.ruleId === g.rule.id ? g.finding.fingerprint : fingerprint(g.rule.id, g.secret);
    const result = await verifySecret(g.rule, g.secret, { ...options, http, fingerprint: fp });
    secrets.push({ rule: g.rule, finding: g.finding, occurrences: g.findings, fingerprint: fp, result });
    for (const f of g.findings) byFingerprint.set(f.fingerprint, result);
  }
  options.cache?.save?.();
  return { secrets, byFingerprint };
}
