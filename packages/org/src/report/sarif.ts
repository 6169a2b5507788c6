import type { RuleDefinition } from '@tokenward/engine';
import type { OrgReport, OrgSecret } from './build.js';

const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note' } as const;
const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' } as const;

/**
 * SARIF 2.1.0 with one run per repository (its clone URL and HEAD in `versionControlProvenance`),
 * one result per place a secret is held, keyed by the secret's fingerprint, so a viewer can show
 * the same secret across repositories as one. Failed repositories are tool notifications.
 */
export function orgReportToSarif(report: OrgReport, rules: readonly RuleDefinition[] = []): string {
  const defs = new Map(rules.map((r) => [r.id, r]));
  const ruleIds = [...new Set(report.secrets.map((s) => s.ruleId))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const example = new Map<string, OrgSecret>(report.secrets.map((s) => [s.ruleId, s]));
  const driver = {
    name: 'Tokenward',
    version: report.toolVersion,
    semanticVersion: report.toolVersion,
    informationUri: 'https://github.com/tokenward/tokenward',
    rules: ruleIds.map((id) => {
      const def = defs.get(id);
      const s = example.get(id)!;
      return {
        id,
        shortDescription: { text: s.title },
        ...(def?.description ? { fullDescription: { text: def.description } } : {}),
        ...(def?.rotate ? { helpUri: def.rotate.url, help: { text: `Revoke or rotate it: ${def.rotate.steps}. See ${def.rotate.url}` } } : {}),
        defaultConfiguration: { level: LEVEL[s.severity] },
        properties: { tags: ['security', 'secret'], 'security-severity': SECURITY_SEVERITY[s.severity], provider: s.provider },
      };
    }),
  };
  const runs = report.repositories.map((repo) => {
    const results = report.secrets.flatMap((s) =>
      s.locations
        .filter((l) => l.repository === repo.id)
        .map((l) => ({
          ruleId: s.ruleId,
          ruleIndex: ruleIndex.get(s.ruleId),
          level: LEVEL[s.severity],
          message: { text: `${s.title}: ${s.redacted} (first committed ${l.date?.slice(0, 10) ?? 'at an unknown date'}${l.presentAtHead ? ', still in HEAD' : ''}${s.verified ? `, ${s.verified.status}` : ''})` },
          locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(l.path), uriBaseId: 'REPOROOT' }, region: { startLine: l.line, startColumn: l.column } } }],
          partialFingerprints: { 'tokenward/v2': s.fingerprint },
          properties: { repository: repo.name, commit: l.commit, author: l.author, date: l.date, occurrences: l.occurrences, presentAtHead: l.presentAtHead, verified: s.verified?.status ?? 'not checked', confidence: s.confidence, provider: s.provider },
        })),
    );
    return {
      tool: { driver },
      automationDetails: { id: `tokenward-org/${repo.name}/` },
      versionControlProvenance: [{ repositoryUri: repo.url, ...(repo.head ? { revisionId: repo.head } : {}), mappedTo: { uriBaseId: 'REPOROOT' } }],
      results,
      invocations: [
        {
          executionSuccessful: repo.status === 'done',
          ...(repo.status === 'failed' ? { toolExecutionNotifications: [{ level: 'error', message: { text: `${repo.name}: ${repo.error ?? 'failed'}` } }] } : {}),
          ...(repo.problems.length ? { toolExecutionNotifications: repo.problems.map((p) => ({ level: 'warning', message: { text: p } })) } : {}),
        },
      ],
    };
  });
  return `${JSON.stringify({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs }, null, 2)}\n`;
}
