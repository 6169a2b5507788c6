import type { Finding } from '@tokenward/engine';
import { describeSuppression } from '@tokenward/engine';
import { listedSuppressed, shownValue, type Report, type Reporter, type ReportOptions } from './report.js';
import type { SuppressedFinding } from '../suppression.js';

// Workflow command escaping: https://github.com/actions/toolkit (issueCommand).
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProp = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(f: Finding, o: ReportOptions, verification?: Report['verification']): string {
  const level = f.severity === 'low' ? 'warning' : 'error';
  const props = [
    `file=${escapeProp(f.origin.path)}`,
    `line=${f.start.line}`,
    `col=${f.start.column}`,
    `endLine=${f.end.line}`,
    `endColumn=${f.end.column}`,
    `title=${escapeProp(`Tokenward: ${f.title}`)}`,
  ].join(',');
  const value = shownValue(f.secret, f.redacted, o);
  const live = verification?.get(f.fingerprint)?.status;
  return `::${level} ${props}::${escapeData(`${f.provider} secret ${value} (${f.ruleId}, fingerprint ${f.fingerprint}${live ? `, verified ${live}` : ''})`)}\n`;
}

/** A suppressed finding as a notice: visible on the pull request, never failing it. */
function suppressedNotice(s: SuppressedFinding, o: ReportOptions): string {
  const f = s.finding;
  const props = [`file=${escapeProp(f.origin.path)}`, `line=${f.start.line}`, `col=${f.start.column}`, `title=${escapeProp(`Tokenward (suppressed): ${f.title}`)}`].join(',');
  const value = shownValue(f.secret, f.redacted, o);
  return `::notice ${props}::${escapeData(`${f.provider} secret ${value} (${f.ruleId}) suppressed by ${describeSuppression(s.reason)}`)}\n`;
}

/** GitHub Actions annotations: findings appear on the pull request's changed lines. */
export const githubReporter: Reporter = {
  finding: (f, o) => annotation(f, o),
  finish(report, o, streamed) {
    return (streamed ? '' : report.findings.map((f) => annotation(f, o, report.verification)).join('')) + listedSuppressed(report, o).map((s) => suppressedNotice(s, o)).join('');
  },
};
