import type { Finding } from '@tokenward/engine';
import { findingToJson as baseFindingToJson, listedSuppressed, suppressionToJson, type Reporter } from './report.js';

/** The report's JSON of a finding, with the partner's location for a paired credential. */
function findingToJson(f: Finding, showSecrets: boolean, o?: Parameters<typeof baseFindingToJson>[2]): Record<string, unknown> {
  const json = baseFindingToJson(f, showSecrets, o);
  if (!f.partner) return json;
  const { name, start, end } = f.partner;
  return { ...json, partner: { name, line: start.line, column: start.column, endLine: end.line, endColumn: end.column } };
}

export const jsonReporter: Reporter = {
  finish(report, o) {
    return `${JSON.stringify(
      {
        findings: report.findings.map((f) => findingToJson(f, o.showSecrets, o)),
        stats: { ...report.stats, durationMs: Math.round(report.stats.durationMs) },
        errors: report.problems,
        skipped: report.skippedFiles,
        suppressedCount: report.suppressed?.length ?? 0,
        ...(o.showSuppressed ? { suppressed: listedSuppressed(report, o).map((s) => ({ ...findingToJson(s.finding, o.showSecrets, o), suppression: suppressionToJson(s.reason) })) } : {}),
      },
      null,
      2,
    )}\n`;
  },
};

/** One JSON object per line: streams, and appends well to log pipelines. */
export const jsonlReporter: Reporter = {
  finding(f, o) {
    return `${JSON.stringify(findingToJson(f, o.showSecrets, o))}\n`;
  },
  finish(report, o, streamed) {
    const found = streamed ? '' : report.findings.map((f) => `${JSON.stringify(findingToJson(f, o.showSecrets, o))}\n`).join('');
    // Suppressed findings carry a `suppressed` object, so consumers can filter on it.
    return found + listedSuppressed(report, o).map((s) => `${JSON.stringify({ ...findingToJson(s.finding, o.showSecrets, o), suppressed: suppressionToJson(s.reason) })}\n`).join('');
  },
};
