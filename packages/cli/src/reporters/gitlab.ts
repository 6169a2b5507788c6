import { createHash } from 'node:crypto';
import type { Finding } from '@tokenward/engine';
import { shownValue, type Report, type Reporter, type ReportOptions } from './report.js';

/**
 * GitLab secret detection report (`gl-secret-detection-report.json`, schema 15.x): the file a
 * GitLab CI job publishes as `artifacts:reports:secret_detection` for the security widget and the
 * vulnerability report. https://gitlab.com/gitlab-org/security-products/security-report-schemas
 */
export const GITLAB_SCHEMA_VERSION = '15.0.7';

const SEVERITY = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' } as const;
// The schema's commit sha for findings outside git history (what GitLab's own analyzer writes).
const NO_COMMIT = '0000000';

/** `YYYY-MM-DDTHH:MM:SS` in UTC: the only time format the schema accepts. */
const gitlabTime = (d: Date) => d.toISOString().slice(0, 19);

function vulnerability(f: Finding, o: ReportOptions, verification?: Report['verification']): Record<string, unknown> {
  const value = shownValue(f.secret, f.redacted, o);
  const r = verification?.get(f.fingerprint);
  return {
    // Stable across runs for one secret at one place, so GitLab keeps one vulnerability.
    id: createHash('sha256').update(`${f.fingerprint}\0${f.origin.commit ?? ''}\0${f.origin.path}\0${f.start.line}`).digest('hex').slice(0, 32),
    category: 'secret_detection',
    name: f.title,
    description: `${f.provider} secret ${value} (${f.ruleId}, confidence ${f.confidence}, fingerprint ${f.fingerprint}${r ? `, verified ${r.status}` : ''})${r?.access?.summary ? `. Reaches: ${r.access.summary}` : ''}`,
    severity: SEVERITY[f.severity],
    confidence: f.confidence === 'high' ? 'High' : f.confidence === 'medium' ? 'Medium' : 'Low',
    raw_source_code_extract: value,
    scanner: { id: 'tokenward', name: 'Tokenward' },
    location: {
      file: f.origin.path,
      start_line: f.start.line,
      end_line: f.end.line,
      commit: { sha: f.origin.commit ?? NO_COMMIT, ...(f.origin.author ? { author: f.origin.author } : {}), ...(f.origin.date ? { date: f.origin.date } : {}) },
    },
    identifiers: [
      { type: 'tokenward_rule_id', name: `Tokenward rule ${f.ruleId}`, value: f.ruleId },
      { type: 'tokenward_fingerprint', name: `Fingerprint ${f.fingerprint}`, value: f.fingerprint },
    ],
  };
}

export function gitlabReport(report: Report, o: ReportOptions, now: Date = new Date()): Record<string, unknown> {
  const tool = { id: 'tokenward', name: 'Tokenward', version: report.toolVersion, vendor: { name: 'Tokenward' }, url: 'https://github.com/tokenward/tokenward' };
  const end = now;
  const start = new Date(end.getTime() - Math.round(report.stats.durationMs));
  return {
    version: GITLAB_SCHEMA_VERSION,
    vulnerabilities: report.findings.map((f) => vulnerability(f, o, report.verification)),
    scan: {
      analyzer: tool,
      scanner: tool,
      type: 'secret_detection',
      start_time: gitlabTime(start),
      end_time: gitlabTime(end),
      status: 'success',
      messages: report.problems.map((p) => ({ level: 'warn', value: `cannot read ${p.path}: ${p.message}` })),
    },
  };
}

/** `-f gitlab`; suppressed findings are not vulnerabilities, so they are left out. */
export const gitlabReporter: Reporter = {
  finish(report, o) {
    return `${JSON.stringify(gitlabReport(report, o), null, 2)}\n`;
  },
};
