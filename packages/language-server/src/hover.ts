/** Hover: what a finding is, where it stands and how to get rid of it. Never the secret. */
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type { Finding, RuleDefinition } from '@tokenward/engine';
import type { ServerContext } from './context.js';
import { rangeOf } from './protocol.js';
import { manualSteps } from './revocation.js';

export function hoverFor(ctx: ServerContext, params: HoverParams): Hover | null {
  const f = ctx.store.findingAt(params.textDocument.uri, { start: params.position, end: params.position });
  if (!f) return null;
  return { contents: { kind: MarkupKind.Markdown, value: hoverText(ctx, f, ctx.project?.rule(f.ruleId)) }, range: rangeOf(f) };
}

function hoverText(ctx: ServerContext, f: Finding, rule: RuleDefinition | undefined): string {
  const revoked = ctx.store.revoked.get(f.fingerprint);
  const v = ctx.store.verification.get(f.fingerprint);
  const details = v ? [v.host, v.httpStatus !== undefined ? `HTTP ${v.httpStatus}` : undefined, v.checkedAt].filter(Boolean).join(', ') : '';
  const status = revoked
    ? `revoked ${revoked.at}`
    : v
      ? `${v.status}${details ? ` (${details})` : ''}`
      : ctx.settings.verify && rule?.verify
        ? 'not checked yet'
        : 'not checked (verification is off)';
  const lines = [
    `**${f.title}**${revoked ? ' — revoked' : ''}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Rule | \`${f.ruleId}\` |`,
    `| Provider | ${f.provider} |`,
    `| Confidence | ${f.confidence} |`,
    `| Severity | ${f.severity} |`,
    `| Value | \`${f.redacted}\` |`,
    `| Status | ${status} |`,
    // What a live token reaches (account, scopes, repositories), from the provider's read-only answers.
    ...(!revoked && v?.access ? v.access.facts.map((x) => `| ${x.label} | ${x.text.replace(/\|/g, '\\|')} |`) : []),
  ];
  const preview = rule ? ctx.revocation.preview(rule, f) : undefined;
  const manual = rule ? manualSteps(rule) : undefined;
  lines.push('');
  if (preview?.api && !revoked) lines.push(`**Revoke:** use the quick fix "Revoke ${f.provider} token" (${preview.summary}).`, '');
  if (manual) lines.push(`**How to rotate:** ${manual.steps}${manual.url ? ` — [documentation](${manual.url})` : ''}`);
  return lines.join('\n');
}
