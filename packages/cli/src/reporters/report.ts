import { describeSuppression, type Finding, type RuleDefinition, type SuppressionReason } from '@tokenward/engine';
import type { VerifyResult } from '@tokenward/revoke';
import type { SuppressedFinding } from '../suppression.js';
import type { ScanProblem, ScanStats } from '@tokenward/sources';

/** Everything a reporter may show. Findings hold raw secrets: reporters print `redacted` unless
 * `showSecrets` is set. */
export interface Report {
  findings: Finding[];
  stats: ScanStats;
  problems: ScanProblem[];
  skippedFiles: ScanProblem[];
  rules: readonly RuleDefinition[];
  toolVersion: string;
  /** Folder report paths are relative to (the working directory). */
  root: string;
  /** Findings hidden by inline comments, the baseline, the allow-list or path ignores. Listed
   * (with the reason) only with `showSuppressed`; otherwise only counted. */
  suppressed?: SuppressedFinding[];
  /** `--verify`: the provider's answer for each finding, by fingerprint. */
  verification?: ReadonlyMap<string, VerifyResult>;
}

export interface ReportOptions {
  showSecrets: boolean;
  color: boolean;
  /** List suppressed findings with their reason (`--show-suppressed`). */
  showSuppressed?: boolean;
  /** `--redact=PERCENT`: hide this share of each secret (100 = all of it) instead of the default mask. */
  redactPercent?: number;
}

/**
 * The value a report shows for a secret: the raw one with `showSecrets`, gitleaks-style partial
 * masking with `--redact=PERCENT` (a readable prefix of 100 - PERCENT %, or `****` at 100), else
 * the default mask (`ghp_****…4Tq1`).
 */
export function shownValue(secret: string, redacted: string, o: Pick<ReportOptions, 'showSecrets' | 'redactPercent'>): string {
  if (o.showSecrets) return secret;
  if (o.redactPercent === undefined) return redacted;
  if (o.redactPercent >= 100) return '****';
  const keep = Math.round((secret.length * (100 - o.redactPercent)) / 100);
  return `${secret.slice(0, keep)}…`;
}

export interface Reporter {
  /** Text for one finding as soon as it is found (streamed sources like stdin), or undefined when
   * the format can only be written whole. */
  finding?(finding: Finding, options: ReportOptions, first?: boolean): string;
  /** The rest of the report once the scan is over. `streamed` findings were already written. */
  finish(report: Report, options: ReportOptions, streamed: boolean): string;
}

/** The JSON shape of a verification answer (no secrets: host, status, time, access map). */
export function verificationJson(r: VerifyResult): Record<string, unknown> {
  const { cached, ...rest } = r;
  return { ...rest, ...(cached ? { cached } : {}) };
}

/** `verified` (active | inactive | unknown) and its details, for findings of a verified report. */
export function verifiedFields(f: Finding, verification: Report['verification']): Record<string, unknown> {
  const r = verification?.get(f.fingerprint);
  if (!verification) return {};
  return r ? { verified: r.status, verification: verificationJson(r) } : { verified: 'unknown', verification: { status: 'unknown', detail: 'not checked' } };
}

/** The JSON shape of a finding, shared by the json and jsonl formats. */
export function findingToJson(f: Finding, showSecrets: boolean, o?: Pick<ReportOptions, 'redactPercent'>, verification?: Report['verification']): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    provider: f.provider,
    title: f.title,
    severity: f.severity,
    confidence: f.confidence,
    path: f.origin.path,
    ...(f.origin.commit ? { commit: f.origin.commit } : {}),
    ...(f.origin.author ? { author: f.origin.author } : {}),
    ...(f.origin.date ? { date: f.origin.date } : {}),
    ...(f.occurrences !== undefined ? { occurrences: f.occurrences } : {}),
    ...(f.presentAtHead !== undefined ? { presentAtHead: f.presentAtHead } : {}),
    ...(f.origin.kind ? { source: f.origin.kind } : {}),
    line: f.start.line,
    column: f.start.column,
    endLine: f.end.line,
    endColumn: f.end.column,
    redacted: o?.redactPercent !== undefined ? shownValue(f.secret, f.redacted, { showSecrets: false, redactPercent: o.redactPercent }) : f.redacted,
    fingerprint: f.fingerprint,
    // The other half of a paired credential (AWS key id, Finout client id), redacted like the secret.
    ...(f.parts ? { parts: showSecrets && f.partSecrets ? f.partSecrets : f.parts } : {}),
    // Where that other half is written (the AWS secret access key on its own line).
    ...(f.partner ? { partner: { name: f.partner.name, line: f.partner.start.line, column: f.partner.start.column, endLine: f.partner.end.line, endColumn: f.partner.end.column } } : {}),
    ...verifiedFields(f, verification),
    ...(showSecrets ? { secret: f.secret } : {}),
  };
}

/** The JSON shape of a suppression reason: its fields plus one readable sentence. */
export function suppressionToJson(r: SuppressionReason): Record<string, unknown> {
  return { ...r, description: describeSuppression(r) };
}

/** Suppressed findings to list in this report ([] unless `showSuppressed`). */
export const listedSuppressed = (report: Report, o: ReportOptions): SuppressedFinding[] => (o.showSuppressed ? (report.suppressed ?? []) : []);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
