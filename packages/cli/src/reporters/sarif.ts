import type { Finding, RuleDefinition } from '@tokenward/engine';
import { pathToFileURL } from 'node:url';
import type { Location, Log, PropertyBag, Result } from 'sarif';
import { describeSuppression, sarifSuppressionKind } from '@tokenward/engine';
import { listedSuppressed, shownValue, verifiedFields, type Report, type Reporter, type ReportOptions } from './report.js';

const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note' } as const;
// GitHub code scanning reads `security-severity` (0–10) to rank alerts.
const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' } as const;

function ruleHelp(rule: RuleDefinition): { text: string; markdown: string } {
  const lines = [`${rule.title} (${rule.provider}).`];
  if (rule.description) lines.push(rule.description);
  if (rule.rotate) lines.push(`Revoke or rotate it: ${rule.rotate.steps}. See ${rule.rotate.url}`);
  lines.push('Then remove it from the code and its history, and load it from a secret store or environment variable.');
  const markdown = [
    `**${rule.title}** (${rule.provider})`,
    rule.description ?? '',
    rule.rotate ? `**Revoke or rotate it:** ${rule.rotate.steps} — [provider documentation](${rule.rotate.url})` : '',
    'Then remove it from the code and its history, and load it from a secret store or environment variable.',
  ]
    .filter(Boolean)
    .join('\n\n');
  return { text: lines.join(' '), markdown };
}

function location(f: Finding, start: Finding['start'], end: Finding['end']): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: encodeURI(f.origin.path), uriBaseId: '%SRCROOT%' },
      region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
    },
  };
}

function result(f: Finding, ruleIndex: number, o: ReportOptions, verification?: Report['verification']): Result {
  const value = shownValue(f.secret, f.redacted, o);
  const live = verification?.get(f.fingerprint)?.status;
  // A paired credential must be fixed at both places: the partner (the AWS secret access key on
  // its own line) is a second location and a related location.
  const partner = f.partner ? location(f, f.partner.start, f.partner.end) : undefined;
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: `${f.title}: ${value} (confidence ${f.confidence}${live ? `, verified ${live}` : ''})` },
    locations: [location(f, f.start, f.end), ...(partner ? [partner] : [])],
    ...(partner ? { relatedLocations: [{ id: 1, ...partner, message: { text: f.partner!.name } }] } : {}),
    // Keyed by rule + secret, so code scanning keeps one alert when lines move.
    partialFingerprints: { 'tokenward/v2': f.fingerprint },
    // `verified`: active | inactive | unknown when the scan verified (`--verify`).
    properties: { confidence: f.confidence, provider: f.provider, ...gitProperties(f), ...verifiedFields(f, verification) },
  };
}

/** History findings: first commit, author, date, introductions, still at HEAD. */
function gitProperties(f: Finding): PropertyBag {
  const o = f.origin;
  return {
    ...(o.commit ? { commit: o.commit } : {}),
    ...(o.author ? { author: o.author } : {}),
    ...(o.date ? { date: o.date } : {}),
    ...(f.occurrences !== undefined ? { occurrences: f.occurrences } : {}),
    ...(f.presentAtHead !== undefined ? { presentAtHead: f.presentAtHead } : {}),
  };
}

/** SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. */
export const sarifReporter: Reporter = {
  finish(report, o) {
    const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));
    const sarif: Log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'Tokenward',
              semanticVersion: report.toolVersion,
              version: report.toolVersion,
              informationUri: 'https://github.com/tokenward/tokenward',
              rules: report.rules.map((r) => ({
                id: r.id,
                name: r.id.replace(/(^|[-.])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
                shortDescription: { text: r.title },
                fullDescription: { text: r.description ?? r.title },
                ...(r.rotate ? { helpUri: r.rotate.url } : {}),
                help: ruleHelp(r),
                defaultConfiguration: { level: LEVEL[r.severity] },
                properties: { tags: ['security', 'secret', ...(r.tags ?? [])], 'security-severity': SECURITY_SEVERITY[r.severity], provider: r.provider },
              })),
            },
          },
          originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(report.root).href.replace(/\/?$/, '/')}` } },
          results: [
            ...report.findings.map((f) => result(f, ruleIndex.get(f.ruleId) ?? -1, o, report.verification)),
            // SARIF's own way to say "found, but accepted": viewers hide these by default.
            ...listedSuppressed(report, o).map((s) => ({
              ...result(s.finding, ruleIndex.get(s.finding.ruleId) ?? -1, o),
              suppressions: [{ kind: sarifSuppressionKind(s.reason), status: 'accepted' as const, justification: describeSuppression(s.reason) }],
            })),
          ],
          invocations: [
            {
              executionSuccessful: true,
              toolExecutionNotifications: report.problems.map((p) => ({
                level: 'warning',
                message: { text: `cannot read: ${p.message}` },
                locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(p.path), uriBaseId: '%SRCROOT%' } } }],
              })),
            },
          ],
        },
      ],
    };
    return `${JSON.stringify(sarif, null, 2)}\n`;
  },
};
