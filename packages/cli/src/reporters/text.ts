import { describeSuppression, type Finding } from '@tokenward/engine';
import { formatBytes, listedSuppressed, shownValue, type Reporter, type ReportOptions } from './report.js';

const paint = (code: string) => (on: boolean, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
const red = paint('31');
const yellow = paint('33');
const dim = paint('2');
const bold = paint('1');
const underline = paint('4');

const SEVERITY_COLOR = { critical: red, high: red, medium: yellow, low: dim } as const;

function line(f: Finding, o: ReportOptions): string {
  const pos = `${f.start.line}:${f.start.column}`.padEnd(8);
  const sev = SEVERITY_COLOR[f.severity](o.color, f.severity.padEnd(8));
  // Context-only findings are marked so a reader weighs them accordingly.
  const generic = f.confidence === 'low' ? dim(o.color, ' (generic)') : '';
  const value = shownValue(f.secret, f.redacted, o);
  const shownParts = o.showSecrets && f.partSecrets ? f.partSecrets : f.parts;
  const paired = shownParts ? ` ${dim(o.color, `(${Object.entries(shownParts).map(([k, v]) => `${k} ${v}`).join(', ')})`)}` : '';
  // The fingerprint is what an `allow: - fingerprint:` entry or a baseline needs.
  return `  ${dim(o.color, pos)}  ${sev}  ${f.title}${generic}  ${bold(o.color, value)}${paired}  ${dim(o.color, `${f.ruleId}  fingerprint ${f.fingerprint}`)}${gitLine(f, o)}`;
}

/** History findings: where the secret was first committed, how often, and whether HEAD still has it. */
function gitLine(f: Finding, o: ReportOptions): string {
  const g = f.origin;
  if (!g.commit) return '';
  const parts = [`commit ${g.commit.slice(0, 12)}${g.author ? ` by ${g.author}` : ''}${g.date ? ` on ${g.date.slice(0, 10)}` : ''}`];
  if (f.occurrences !== undefined) parts.push(f.occurrences === 1 ? 'introduced once' : `introduced in ${f.occurrences} commits`);
  const head = f.presentAtHead === undefined ? '' : f.presentAtHead ? red(o.color, 'still in HEAD') : 'not in HEAD (still in history: revoke it)';
  return `\n${' '.repeat(12)}${dim(o.color, parts.join(' · '))}${head ? ` · ${head}` : ''}`;
}

/** ESLint "stylish"-like: findings grouped by file, then a one-line summary. */
export const textReporter: Reporter = {
  // Streamed (stdin): the `<stdin>` header once, before the first finding.
  finding(f, o, first = true) {
    return `${first ? `${underline(o.color, f.origin.path)}\n` : ''}${line(f, o)}\n`;
  },
  finish(report, o, streamed) {
    const out: string[] = [];
    if (!streamed) {
      let current: string | undefined;
      for (const f of report.findings) {
        if (f.origin.path !== current) {
          if (current !== undefined) out.push('');
          current = f.origin.path;
          out.push(underline(o.color, current));
        }
        out.push(line(f, o));
      }
      if (report.findings.length) out.push('');
    }
    const hidden = listedSuppressed(report, o);
    if (hidden.length) {
      out.push(dim(o.color, `suppressed (${hidden.length}):`));
      let current: string | undefined;
      for (const s of hidden) {
        if (s.finding.origin.path !== current) {
          current = s.finding.origin.path;
          out.push(underline(o.color, current));
        }
        out.push(`${line(s.finding, o)}\n      ${dim(o.color, `suppressed by ${describeSuppression(s.reason)}`)}`);
      }
      out.push('');
    }
    for (const p of report.problems) out.push(yellow(o.color, `warning: cannot read ${p.path}: ${p.message}`));
    const s = report.stats;
    // Streamed findings were not kept (endless input): count from the stats.
    const files = streamed ? 1 : new Set(report.findings.map((f) => f.origin.path)).size;
    const extras = [
      s.binary ? `${s.binary} binary skipped` : '',
      s.skipped ? `${s.skipped} skipped` : '',
      s.unreadable ? `${s.unreadable} unreadable` : '',
      report.suppressed?.length ? `${report.suppressed.length} suppressed${o.showSuppressed ? '' : ' (--show-suppressed lists them)'}` : '',
    ].filter(Boolean);
    const commits = s.commits !== undefined ? `${s.commits} ${s.commits === 1 ? 'commit' : 'commits'}, ` : '';
    const scanned = `scanned ${commits}${s.files} ${s.files === 1 ? 'file' : 'files'}, ${formatBytes(s.bytes)} in ${(s.durationMs / 1000).toFixed(2)} s${extras.length ? `; ${extras.join(', ')}` : ''}`;
    const n = streamed ? s.findings : report.findings.length;
    if (n === 0) out.push(`${o.color ? '\u001b[32m✔\u001b[0m' : '✔'} no secrets found (${scanned})`);
    else {
      out.push(red(o.color, bold(o.color, `✖ ${n} ${n === 1 ? 'secret' : 'secrets'} found in ${files} ${files === 1 ? 'file' : 'files'}`)) + ` (${scanned})`);
    }
    return `${out.join('\n')}\n`;
  },
};
