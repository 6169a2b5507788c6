/**
 * A revocation plan: per unique secret, what will be called and where, or the manual steps.
 * Building and rendering a plan never touches the network.
 */
import type { Finding, RuleDefinition } from '@tokenward/engine';
import { checkAccess } from './access.js';
import { describeOverride, effectiveBase, joinUrl, type EndpointOverrides } from './endpoints.js';
import { scrub } from './scrub.js';
import { checkSteps, SpecError } from './steps.js';
import type { VerifyResult } from './verify.js';

export interface ApiRevocation {
  kind: 'api';
  /** Host the requests go to (after any endpoint override). */
  host: string;
  /** Effective base URL (origin, plus a path prefix from an override). */
  base: string;
  overridden: boolean;
  /** Why the host is not the rule's: `override github=… from --endpoint, instead of api.github.com`. */
  override?: string;
  /** Requests in order, paths as documented (placeholders shown, never the secret). */
  requests: { method: string; path: string }[];
  /** What happens, in words. */
  effect: string;
  /** Secrets per request when the provider takes several at once. */
  batchMax?: number;
  docs?: string;
}

export interface ManualRevocation {
  kind: 'manual';
  steps: string;
  url?: string;
  /** Why there is no API call. */
  reason: string;
}

export interface PlanItem {
  rule: RuleDefinition;
  /** First occurrence. */
  finding: Finding;
  /** Every occurrence of this secret (same secret in several files or commits). */
  occurrences: Finding[];
  action: ApiRevocation | ManualRevocation;
  /** The rule has a read-only check, run again after a revocation. */
  canVerify: boolean;
  /** A read-only check made before acting (status and, for a live token, what it reaches). */
  check?: VerifyResult;
}

export interface RevocationPlan {
  items: PlanItem[];
}

export interface PlanOptions {
  endpoints?: EndpointOverrides;
  /** Rule ids never revoked by API (config `revoke.never`): manual steps instead. */
  never?: readonly string[];
}

/** Checks a rule's verify/revoke data before anything is sent. Throws `SpecError` naming the rule. */
export function checkRuleSpecs(rule: RuleDefinition): void {
  if (rule.verify) {
    checkSteps(rule, 'verify', rule.verify.steps, false);
    checkAccess(rule);
  }
  if (rule.revoke) checkSteps(rule, 'revoke', rule.revoke.steps, rule.revoke.batch !== undefined);
}

const DEFAULT_EFFECT = 'The provider revokes the token; it stops working at once.';

function apiAction(rule: RuleDefinition, options: PlanOptions): ApiRevocation {
  const spec = rule.revoke!;
  const { base, override } = effectiveBase(rule, spec.origin, options.endpoints);
  const action: ApiRevocation = {
    kind: 'api',
    host: base.host,
    base: base.href,
    overridden: override !== undefined,
    requests: spec.steps.map((s) => ({ method: s.method, path: joinUrl(base, s.path.replace(/\{\{[^}]*\}\}/g, '{…}')).pathname.replace(/%7B%E2%80%A6%7D/g, '{…}') })),
    effect: spec.effect ?? DEFAULT_EFFECT,
  };
  if (override) action.override = describeOverride(override, spec.origin);
  if (spec.batch) action.batchMax = spec.batch.max;
  if (spec.docs) action.docs = spec.docs;
  return action;
}

export function manualAction(rule: RuleDefinition, excluded = false): ManualRevocation {
  const reason = excluded
    ? `the configuration (revoke.never) excludes rule ${rule.id} from API revocation`
    : `${rule.provider} has no API that revokes this token with the token alone`;
  if (rule.rotate) return { kind: 'manual', steps: rule.rotate.steps, url: rule.rotate.url, reason };
  return { kind: 'manual', steps: `Revoke or rotate this ${rule.provider} token in the provider's console, then remove it from code and history.`, reason };
}

/** Prefers the rule that can revoke, then the one that can verify, when two rules found one secret. */
function better(a: RuleDefinition, b: RuleDefinition): boolean {
  const score = (r: RuleDefinition) => (r.revoke ? 2 : 0) + (r.verify ? 1 : 0);
  return score(a) > score(b);
}

/**
 * One plan item per unique secret. Findings whose rule is unknown are an error (rules and
 * findings must come from the same rule set).
 */
export function planRevocation(findings: readonly Finding[], rules: readonly RuleDefinition[], options: PlanOptions = {}): RevocationPlan {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const bySecret = new Map<string, { rule: RuleDefinition; findings: Finding[] }>();
  for (const f of findings) {
    const rule = byId.get(f.ruleId);
    if (!rule) throw new SpecError(`finding refers to unknown rule "${f.ruleId}"`);
    const entry = bySecret.get(f.secret);
    if (!entry) bySecret.set(f.secret, { rule, findings: [f] });
    else {
      entry.findings.push(f);
      if (better(rule, entry.rule)) entry.rule = rule;
    }
  }
  const items: PlanItem[] = [];
  for (const { rule, findings: occ } of bySecret.values()) {
    checkRuleSpecs(rule);
    const finding = occ.find((f) => f.ruleId === rule.id) ?? occ[0]!;
    items.push({
      rule,
      finding,
      occurrences: occ,
      action: rule.revoke && !options.never?.includes(rule.id) ? apiAction(rule, options) : manualAction(rule, options.never?.includes(rule.id)),
      canVerify: rule.verify !== undefined,
    });
  }
  return { items };
}

/** Where a secret was found; a path that contains the secret itself shows it redacted. */
export const findingPlace = (f: Finding): string => scrub(`${f.origin.path}${f.origin.commit ? `@${f.origin.commit.slice(0, 8)}` : ''}:${f.start.line}:${f.start.column}`, [f.secret]);

/** `(api.github.com, HTTP 200, 2026-01-10T…)` and, for `unknown`, why. */
export function checkDetails(r: VerifyResult): string {
  const parts = [r.host ?? 'no check', ...(r.httpStatus !== undefined ? [`HTTP ${r.httpStatus}`] : []), ...(r.checkedAt ? [r.checkedAt] : []), ...(r.cached ? ['cached'] : [])];
  return `(${parts.join(', ')})${r.status === 'unknown' && r.detail ? `: ${r.detail}` : ''}`;
}

/** `active (api.github.com, HTTP 200, 2026-01-10T…)` */
export const describeCheck = (r: VerifyResult): string => `${r.status} ${checkDetails(r)}`;

/** Human-readable plan. Says that nothing was called and that revocation cannot be undone. */
export function renderPlan(plan: RevocationPlan, opts: { confirmHint?: string; checked?: boolean } = {}): string {
  if (plan.items.length === 0) return 'No tokens to revoke.\n';
  const api = plan.items.filter((i) => i.action.kind === 'api').length;
  const manual = plan.items.length - api;
  const lines: string[] = [];
  const called = opts.checked ? 'Only read-only checks have been made so far.' : 'Nothing has been called yet.';
  lines.push(`Revocation plan: ${plan.items.length} ${plan.items.length === 1 ? 'token' : 'tokens'} (${api} by API, ${manual} by hand). ${called}`);
  plan.items.forEach((item, n) => {
    const f = item.finding;
    const more = item.occurrences.length > 1 ? ` (+${item.occurrences.length - 1} more ${item.occurrences.length === 2 ? 'place' : 'places'})` : '';
    lines.push('');
    lines.push(`${n + 1}. ${item.rule.provider}: ${item.rule.title} ${f.redacted}`);
    lines.push(`   found at ${findingPlace(f)}${more}`);
    if (item.check) {
      lines.push(`   check: ${describeCheck(item.check)}`);
      if (item.check.access?.summary) lines.push(`   this token reaches: ${item.check.access.summary}`);
    }
    const a = item.action;
    if (a.kind === 'api') {
      for (const r of a.requests) lines.push(`   ${r.method} ${a.host}${r.path}${a.override ? `  (${a.override})` : ''}`);
      lines.push(`   ${a.effect} IRREVERSIBLE.`);
      if (a.batchMax) lines.push(`   (up to ${a.batchMax} tokens per request)`);
    } else {
      lines.push(`   By hand (${a.reason}):`);
      lines.push(`   ${a.steps}`);
      if (a.url) lines.push(`   ${a.url}`);
    }
  });
  lines.push('');
  if (api > 0) lines.push(opts.confirmHint ?? 'Run again with --yes to revoke; this cannot be undone.');
  return `${lines.join('\n')}\n`;
}
