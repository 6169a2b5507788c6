/**
 * Carries out a plan after confirmation: API revocations (batched where the provider allows),
 * manual steps shown, a read-only check afterwards where one exists, one audit line per action.
 *
 * Records are never lost: the log is opened before the first call, an `attempt` line is synced
 * before each call and the outcome after it. When the log cannot take a line, no further provider
 * is called; results are still returned (and printed) for everything.
 */
import type { Finding } from '@tokenward/engine';
import { AuditLeakError, AuditWriteError, type AuditEntry, type AuditLog, type AuditOutcome } from './audit.js';
import type { EndpointOverrides } from './endpoints.js';
import { HttpClient } from './http.js';
import { manualAction, type PlanItem, type RevocationPlan } from './plan.js';
import { runSteps, StepFailure } from './steps.js';
import { scrub } from './scrub.js';
import type { TemplateVars } from './template.js';
import { verifyCacheKey, verifySecret, verifyTarget, type VerifyCache, type VerifyStatus } from './verify.js';

/**
 * `unconfirmed`: the provider took the request but the check afterwards still answers active (a
 * failure: the token still works). `not-attempted`: nothing was sent because no record could be
 * written first.
 */
export type RevocationOutcome = 'revoked' | 'unconfirmed' | 'failed' | 'not-attempted' | 'manual-steps-shown';

export interface RevocationResult {
  item: PlanItem;
  outcome: RevocationOutcome;
  /** Provider's HTTP status of the last request made. */
  status?: number;
  /** Why it failed. Never contains the secret. */
  error?: string;
  /** Read-only check after revoking, where the rule has one. */
  verifiedAfter?: VerifyStatus;
  host?: string;
  /** The outcome could not be recorded in the audit log (the action still happened). */
  auditError?: string;
}

export interface ExecuteOptions {
  endpoints?: EndpointOverrides;
  http?: HttpClient;
  audit?: AuditLog;
  /** Verify again after a revocation (default true). */
  verifyAfter?: boolean;
  /**
   * Waits before checking again while the token still answers active after an `202 Accepted`
   * (the provider revokes asynchronously). Default 1 s, then 3 s.
   */
  confirmDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  /** Verify cache to update with the checks made after revoking (a cached `active` must not outlive the token). */
  cache?: VerifyCache;
  now?: () => Date;
  /** Called as each result is known (progress output). */
  onResult?: (r: RevocationResult) => void;
}

export const isFailure = (r: RevocationResult): boolean => r.outcome === 'failed' || r.outcome === 'unconfirmed' || r.outcome === 'not-attempted';

const location = (f: Finding) => scrub(`${f.origin.path}${f.origin.commit ? `@${f.origin.commit}` : ''}:${f.start.line}`, [f.secret]);

const AUDIT_OUTCOME: Record<RevocationOutcome, AuditOutcome> = {
  revoked: 'revoked',
  unconfirmed: 'revoke-unconfirmed',
  failed: 'failed',
  'not-attempted': 'not-attempted',
  'manual-steps-shown': 'manual-steps-shown',
};

export function auditEntry(item: PlanItem, outcome: AuditOutcome, time: Date, extra: Partial<AuditEntry> = {}): AuditEntry {
  const entry: AuditEntry = {
    time: time.toISOString(),
    action: 'revoke',
    rule: item.rule.id,
    provider: item.rule.provider,
    fingerprint: item.finding.fingerprint,
    redacted: item.finding.redacted,
    outcome,
    location: location(item.finding),
    occurrences: item.occurrences.length,
  };
  if (item.action.kind === 'api') {
    entry.endpoint = item.action.host;
    if (item.action.override) entry.override = item.action.override;
  }
  return { ...entry, ...extra };
}

/** Writes `planned` lines (nothing was called). */
export function auditPlan(plan: RevocationPlan, audit: AuditLog, now: () => Date = () => new Date()): void {
  for (const item of plan.items) audit.write(auditEntry(item, 'planned', now()), [item.finding.secret]);
}

/** Groups API items that can share one request (same batched spec and endpoint), in plan order. */
function groupsOf(items: PlanItem[]): PlanItem[][] {
  const groups: PlanItem[][] = [];
  const byKey = new Map<string, PlanItem[]>();
  for (const item of items) {
    const spec = item.rule.revoke;
    if (item.action.kind !== 'api' || !spec?.batch) {
      groups.push([item]);
      continue;
    }
    const key = `${item.action.base}\0${JSON.stringify(spec.steps)}\0${spec.batch.max}`;
    let g = byKey.get(key);
    if (!g || g.length >= spec.batch.max) {
      g = [];
      byKey.set(key, g);
      groups.push(g);
    }
    g.push(item);
  }
  return groups;
}

async function revokeGroup(group: PlanItem[], options: ExecuteOptions, http: HttpClient): Promise<Omit<RevocationResult, 'item'>> {
  const first = group[0]!;
  const spec = first.rule.revoke!;
  const secrets = group.map((i) => i.finding.secret);
  const vars: TemplateVars = spec.batch ? { secrets } : { secret: first.finding.secret };
  const host = first.action.kind === 'api' ? first.action.host : undefined;
  try {
    const run = await runSteps({ rule: first.rule, origin: spec.origin, steps: spec.steps, vars, http, endpoints: options.endpoints });
    return { outcome: 'revoked', status: run.last?.status, host };
  } catch (e) {
    if (!(e instanceof StepFailure)) {
      return { outcome: 'failed', error: scrub((e as Error).message, secrets), host };
    }
    const r: Omit<RevocationResult, 'item'> = { outcome: 'failed', error: scrub(e.message, secrets), host };
    if (e.status !== undefined) r.status = e.status;
    return r;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The check after revoking; an `active` after a 202 is asked again after the configured waits. */
async function confirm(item: PlanItem, accepted: boolean, options: ExecuteOptions, http: HttpClient): Promise<VerifyStatus> {
  const delays = accepted ? (options.confirmDelaysMs ?? [1000, 3000]) : [];
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    const v = await verifySecret(item.rule, item.finding.secret, { endpoints: options.endpoints, http, access: false, fingerprint: item.finding.fingerprint });
    const target = verifyTarget(item.rule, options.endpoints);
    if (v.status !== 'unknown' && target) options.cache?.set(verifyCacheKey(item.rule.id, target.origin, item.finding.fingerprint), v);
    if (v.status !== 'active' || attempt >= delays.length) return v.status;
    await sleep(delays[attempt]!);
  }
}

/** Executes every item of the plan. Failures are results, never exceptions; an unusable audit log is `AuditWriteError` before anything is called. */
export async function executePlan(plan: RevocationPlan, options: ExecuteOptions = {}): Promise<RevocationResult[]> {
  const http = options.http ?? new HttpClient();
  const now = options.now ?? (() => new Date());
  const audit = options.audit;
  // Nothing is revoked when the log cannot even be opened.
  audit?.check();
  let auditBroken: string | undefined;
  const results: RevocationResult[] = [];
  /** Writes one line; a failure is remembered (and stops further calls), never thrown. */
  const tryWrite = (entry: AuditEntry, secret: string): string | undefined => {
    if (!audit) return undefined;
    try {
      audit.write(entry, [secret]);
      return undefined;
    } catch (e) {
      if (!(e instanceof AuditWriteError) && !(e instanceof AuditLeakError)) throw e;
      if (e instanceof AuditWriteError) auditBroken ??= e.message;
      return e.message;
    }
  };
  const record = (r: RevocationResult) => {
    const extra: Partial<AuditEntry> = {};
    if (r.status !== undefined) extra.status = r.status;
    if (r.error) extra.error = r.error;
    if (r.verifiedAfter) extra.verify = r.verifiedAfter;
    const failed = tryWrite(auditEntry(r.item, AUDIT_OUTCOME[r.outcome], now(), extra), r.item.finding.secret);
    if (failed && r.outcome !== 'not-attempted') r.auditError = failed;
    results.push(r);
    options.onResult?.(r);
  };
  for (const group of groupsOf(plan.items)) {
    const first = group[0]!;
    if (first.action.kind === 'manual') {
      record({ item: first, outcome: 'manual-steps-shown' });
      continue;
    }
    // An attempt line is synced before the call; without it, nothing is sent.
    const ready: PlanItem[] = [];
    for (const item of group) {
      const refused = auditBroken ?? tryWrite(auditEntry(item, 'attempt', now()), item.finding.secret);
      if (refused) record({ item, outcome: 'not-attempted', error: `not revoked: no audit record could be written first (${refused})` });
      else ready.push(item);
    }
    if (!ready.length) continue;
    const shared = await revokeGroup(ready, options, http);
    for (const item of ready) {
      const r: RevocationResult = { item, ...shared };
      if (r.status === undefined) delete r.status;
      if (r.error === undefined) delete r.error;
      if (r.outcome === 'revoked' && item.canVerify && options.verifyAfter !== false) {
        r.verifiedAfter = await confirm(item, r.status === 202, options, http);
        if (r.verifiedAfter === 'active') {
          r.outcome = 'unconfirmed';
          r.error = `${r.host} accepted the revocation (HTTP ${r.status ?? '-'}) but the token still works`;
        }
      }
      record(r);
    }
  }
  return results;
}

/** Text lines for results (no secrets: redacted values only). Every failure comes with the manual steps. */
export function renderResults(results: readonly RevocationResult[]): string {
  const lines: string[] = [];
  const byHand = (r: RevocationResult) => {
    const a = r.item.action.kind === 'manual' ? r.item.action : manualAction(r.item.rule);
    lines.push(`         ${r.outcome === 'manual-steps-shown' ? '' : 'Revoke it by hand: '}${a.steps}`);
    if (a.url) lines.push(`         ${a.url}`);
  };
  for (const r of results) {
    const head = `${r.item.rule.provider}: ${r.item.rule.title} ${r.item.finding.redacted}`;
    if (r.outcome === 'revoked') {
      const after = r.verifiedAfter ? `; check afterwards: ${r.verifiedAfter}` : '';
      lines.push(`revoked  ${head} (${r.host}, HTTP ${r.status ?? '-'}${after})`);
    } else if (r.outcome === 'manual-steps-shown') {
      lines.push(`by hand  ${head}`);
      byHand(r);
    } else {
      const label = r.outcome === 'unconfirmed' ? 'NOT CONFIRMED' : r.outcome === 'not-attempted' ? 'NOT SENT' : 'FAILED';
      lines.push(`${label.padEnd(8)} ${head} (${r.host ?? '-'}${r.status !== undefined ? `, HTTP ${r.status}` : ''}): ${r.error}`);
      byHand(r);
    }
    if (r.auditError) lines.push(`         warning: ${r.auditError}`);
  }
  const count = (o: RevocationOutcome) => results.filter((r) => r.outcome === o).length;
  const failed = count('failed') + count('not-attempted');
  lines.push('');
  lines.push(
    `${count('revoked')} revoked, ${count('unconfirmed') ? `${count('unconfirmed')} not confirmed (still active), ` : ''}${failed} failed, ${count('manual-steps-shown')} to revoke by hand.`,
  );
  return `${lines.join('\n')}\n`;
}
