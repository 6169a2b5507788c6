/**
 * Carries out a plan after confirmation: API revocations (batched where the provider allows),
 * manual steps shown, a read-only check afterwards where one exists, one audit line per action.
 */
import { fingerprint, type Finding } from '@tokenward/engine';
import type { AuditEntry, AuditLog, AuditOutcome } from './audit.js';
import type { EndpointOverrides } from './endpoints.js';
import { HttpClient } from './http.js';
import type { PlanItem, RevocationPlan } from './plan.js';
import { runSteps, StepFailure } from './steps.js';
import { scrub } from './scrub.js';
import type { TemplateVars } from './template.js';
import { verifySecret, type VerifyCache, type VerifyStatus } from './verify.js';

export type RevocationOutcome = 'revoked' | 'failed' | 'manual-steps-shown';

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
}

export interface ExecuteOptions {
  endpoints?: EndpointOverrides;
  http?: HttpClient;
  audit?: AuditLog;
  /** Verify again after a revocation (default true). */
  verifyAfter?: boolean;
  /** Verify cache to update with the checks made after revoking (a cached `active` must not outlive the token). */
  cache?: VerifyCache;
  now?: () => Date;
  /** Called as each result is known (progress output). */
  onResult?: (r: RevocationResult) => void;
}

const location = (f: Finding) => `${f.origin.path}${f.origin.commit ? `@${f.origin.commit}` : ''}:${f.start.line}`;

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
  if (item.action.kind === 'api') entry.endpoint = item.action.host;
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

/** Executes every item of the plan. Failures are results, never exceptions. */
export async function executePlan(plan: RevocationPlan, options: ExecuteOptions = {}): Promise<RevocationResult[]> {
  const http = options.http ?? new HttpClient();
  const now = options.now ?? (() => new Date());
  const results: RevocationResult[] = [];
  const record = (r: RevocationResult) => {
    results.push(r);
    const extra: Partial<AuditEntry> = {};
    if (r.status !== undefined) extra.status = r.status;
    if (r.error) extra.error = r.error;
    if (r.verifiedAfter) extra.verify = r.verifiedAfter;
    options.audit?.write(auditEntry(r.item, r.outcome, now(), extra), [r.item.finding.secret]);
    options.onResult?.(r);
  };
  for (const group of groupsOf(plan.items)) {
    const first = group[0]!;
    if (first.action.kind === 'manual') {
      record({ item: first, outcome: 'manual-steps-shown' });
      continue;
    }
    // Recorded before the call: if the log cannot be written, nothing is revoked (the error propagates).
    for (const item of group) options.audit?.write(auditEntry(item, 'attempt', now()), [item.finding.secret]);
    const shared = await revokeGroup(group, options, http);
    for (const item of group) {
      const r: RevocationResult = { item, ...shared };
      if (r.status === undefined) delete r.status;
      if (r.error === undefined) delete r.error;
      if (r.outcome === 'revoked' && item.canVerify && options.verifyAfter !== false) {
        const v = await verifySecret(item.rule, item.finding.secret, { endpoints: options.endpoints, http });
        r.verifiedAfter = v.status;
        if (v.status !== 'unknown') options.cache?.set(fingerprint(item.rule.id, item.finding.secret), v);
      }
      record(r);
    }
  }
  return results;
}

/** Text lines for results (no secrets: redacted values only). */
export function renderResults(results: readonly RevocationResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const head = `${r.item.rule.provider}: ${r.item.rule.title} ${r.item.finding.redacted}`;
    if (r.outcome === 'revoked') {
      const after = r.verifiedAfter ? `; check afterwards: ${r.verifiedAfter}` : '';
      lines.push(`revoked  ${head} (${r.host}, HTTP ${r.status ?? '-'}${after})`);
    } else if (r.outcome === 'failed') {
      lines.push(`FAILED   ${head} (${r.host ?? '-'}${r.status !== undefined ? `, HTTP ${r.status}` : ''}): ${r.error}`);
    } else {
      const a = r.item.action;
      lines.push(`by hand  ${head}`);
      if (a.kind === 'manual') {
        lines.push(`         ${a.steps}`);
        if (a.url) lines.push(`         ${a.url}`);
      }
    }
  }
  const failed = results.filter((r) => r.outcome === 'failed').length;
  const revoked = results.filter((r) => r.outcome === 'revoked').length;
  const manual = results.filter((r) => r.outcome === 'manual-steps-shown').length;
  lines.push('');
  lines.push(`${revoked} revoked, ${failed} failed, ${manual} to revoke by hand.`);
  return `${lines.join('\n')}\n`;
}
