import { findingToJson, listedSuppressed, suppressionToJson, type Reporter } from './report.js';

export const jsonReporter: Reporter = {
  finish(report, o) {
    return `${JSON.stringify(
      {
        findings: report.findings.map((f) => findingToJson(f, o.showSecrets, o, report.verification)),
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
    const found = streamed ? '' : report.findings.map((f) => `${JSON.stringify(findingToJson(f, o.showSecrets, o, report.verification))}\n`).join('');
    // Suppressed findings carry a `suppressed` object, so consumers can filter on it.
    return found + listedSuppressed(report, o).map((s) => `${JSON.stringify({ ...findingToJson(s.finding, o.showSecrets, o), suppressed: suppressionToJson(s.reason) })}\n`).join('');
  },
};
