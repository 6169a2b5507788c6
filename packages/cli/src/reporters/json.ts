import { findingToJson, type Reporter } from './report.js';

export const jsonReporter: Reporter = {
  finish(report, o) {
    return `${JSON.stringify(
      {
        findings: report.findings.map((f) => findingToJson(f, o.showSecrets)),
        stats: { ...report.stats, durationMs: Math.round(report.stats.durationMs) },
        errors: report.problems,
        skipped: report.skippedFiles,
      },
      null,
      2,
    )}\n`;
  },
};

/** One JSON object per line: streams, and appends well to log pipelines. */
export const jsonlReporter: Reporter = {
  finding(f, o) {
    return `${JSON.stringify(findingToJson(f, o.showSecrets))}\n`;
  },
  finish(report, o, streamed) {
    return streamed ? '' : report.findings.map((f) => `${JSON.stringify(findingToJson(f, o.showSecrets))}\n`).join('');
  },
};
