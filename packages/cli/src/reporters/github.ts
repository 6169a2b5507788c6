import type { Finding } from '@tokenward/engine';
import type { Reporter, ReportOptions } from './report.js';

// Workflow command escaping: https://github.com/actions/toolkit (issueCommand).
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProp = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(f: Finding, o: ReportOptions): string {
  const level = f.severity === 'low' ? 'warning' : 'error';
  const props = [
    `file=${escapeProp(f.origin.path)}`,
    `line=${f.start.line}`,
    `col=${f.start.column}`,
    `endLine=${f.end.line}`,
    `endColumn=${f.end.column}`,
    `title=${escapeProp(`Tokenward: ${f.title}`)}`,
  ].join(',');
  const value = o.showSecrets ? f.secret : f.redacted;
  return `::${level} ${props}::${escapeData(`${f.provider} secret ${value} (${f.ruleId}, fingerprint ${f.fingerprint})`)}\n`;
}

/** GitHub Actions annotations: findings appear on the pull request's changed lines. */
export const githubReporter: Reporter = {
  finding: annotation,
  finish(report, o, streamed) {
    return streamed ? '' : report.findings.map((f) => annotation(f, o)).join('');
  },
};
