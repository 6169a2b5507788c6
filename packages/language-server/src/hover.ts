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
  const status = revoked ? `revoked ${revoked.at}` : (ctx.store.verification.get(f.fingerprint) ?? (ctx.settings.verify && rule?.verify ? 'not checked yet' : 'not checked (verification is off)'));
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
  ];
  const preview = rule ? ctx.revocation.preview(rule, f) : undefined;
  const manual = rule ? manualSteps(rule) : undefined;
  lines.push('');
  if (preview?.api && !revoked) lines.push(`**Revoke:** use the quick fix "Revoke ${f.provider} token" (${preview.summary}).`, '');
  if (manual) lines.push(`**How to rotate:** ${manual.steps}${manual.url ? ` — [documentation](${manual.url})` : ''}`);
  return lines.join('\n');
}
