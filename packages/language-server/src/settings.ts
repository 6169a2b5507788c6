import type { Confidence } from '@tokenward/engine';

export type DiagnosticSeverityName = 'error' | 'warning' | 'information' | 'hint';

/** What an editor can configure (VS Code settings `tokenward.*`, or initializationOptions.settings). */
export interface ServerSettings {
  enable: boolean;
  severity: DiagnosticSeverityName;
  /** Overrides the configuration's `minConfidence` when set (as `--min-confidence` does); unset or
   * `"project"`: the configuration decides. */
  minimumConfidence: Confidence | undefined;
  /** Ask providers (read-only) whether a token is live. Off by default: it sends the token out. */
  verify: boolean;
  /** Provider API origin → replacement origin (GitHub Enterprise, tests' local stand-ins). */
  providerEndpoints: Record<string, string>;
  /** Audit log file; empty = `.tokenward/audit.jsonl` under the workspace root. */
  auditLog: string;
  /** Quiet time after the last keystroke before a buffer is rescanned. */
  debounceMs: number;
  /** Extra rule files or folders, as `tokenward scan --rules`. */
  rules: string[];
}

export const DEFAULT_SETTINGS: ServerSettings = {
  enable: true,
  severity: 'error',
  minimumConfidence: undefined,
  verify: false,
  providerEndpoints: {},
  auditLog: '',
  debounceMs: 120,
  rules: [],
};

const SEVERITIES: readonly DiagnosticSeverityName[] = ['error', 'warning', 'information', 'hint'];
const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];

/** Merges what the client sent over `base`, ignoring fields of the wrong type (editors send junk). */
export function mergeSettings(base: ServerSettings, raw: unknown): ServerSettings {
  if (raw === null || typeof raw !== 'object') return base;
  const r = raw as Record<string, unknown>;
  const out: ServerSettings = { ...base };
  if (typeof r.enable === 'boolean') out.enable = r.enable;
  if (typeof r.severity === 'string' && (SEVERITIES as string[]).includes(r.severity)) out.severity = r.severity as DiagnosticSeverityName;
  if (typeof r.minimumConfidence === 'string' && (CONFIDENCES as string[]).includes(r.minimumConfidence)) out.minimumConfidence = r.minimumConfidence as Confidence;
  else if (r.minimumConfidence === 'project' || r.minimumConfidence === null || r.minimumConfidence === '') out.minimumConfidence = undefined;
  if (typeof r.verify === 'boolean') out.verify = r.verify;
  if (r.providerEndpoints && typeof r.providerEndpoints === 'object' && !Array.isArray(r.providerEndpoints)) {
    const endpoints: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.providerEndpoints as Record<string, unknown>)) if (typeof v === 'string' && v) endpoints[k] = v;
    out.providerEndpoints = endpoints;
  }
  if (typeof r.auditLog === 'string') out.auditLog = r.auditLog;
  if (typeof r.debounceMs === 'number' && r.debounceMs >= 0) out.debounceMs = r.debounceMs;
  if (Array.isArray(r.rules)) out.rules = r.rules.filter((x): x is string => typeof x === 'string');
  return out;
}
