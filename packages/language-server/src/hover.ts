/** Hover: what a finding is, where it stands and how to get rid of it; for a hidden one, why it
 * is hidden. Never the secret. */
import { MarkupKind, type Hover, type HoverParams, type Range } from 'vscode-languageserver';
import { describeSuppression, type Finding, type RuleDefinition } from '@tokenward/engine';
import type { SuppressedFinding } from '@tokenward/project';
import type { ServerContext } from './context.js';
import { uriToPath } from './diagnostics.js';
import { rangeOf } from './protocol.js';
import { manualSteps } from './revocation.js';

export function hoverFor(ctx: ServerContext, params: HoverParams): Hover | null {
  const uri = params.textDocument.uri;
  const at = { start: params.position, end: params.position };
  const f = ctx.store.findingAt(uri, at);
  if (f) return { contents: { kind: MarkupKind.Markdown, value: hoverText(ctx, f, ctx.project?.rule(f.ruleId)) }, range: rangeOf(f) };
  const hidden = suppressedAt(ctx, uri, at);
  // Plain text: the reason reads exactly as `--show-suppressed` and SARIF print it (a path
  // pattern such as `dist/**` is not Markdown).
  return hidden ? { contents: { kind: MarkupKind.PlainText, value: hiddenText(hidden) }, range: rangeOf(hidden.finding) } : null;
}

/** `Tokenward: hidden — baseline .tokenward-baseline.json`, then what is hidden. */
function hiddenText({ finding: f, reason }: SuppressedFinding): string {
  return `Tokenward: hidden — ${describeSuppression(reason)}\n${f.title} (${f.ruleId}): ${f.redacted}`;
}

/** What is hidden at `range`; a path-ignored document is scanned for it on the first such hover. */
function suppressedAt(ctx: ServerContext, uri: string, range: Range): SuppressedFinding | undefined {
  const state = ctx.store.documents.get(uri);
  if (state && state.suppressed === undefined) {
    const doc = ctx.documents.get(uri);
    state.suppressed = [];
    try {
      if (doc && ctx.project) state.suppressed = ctx.project.analyze(doc.getText(), ctx.project.displayPath(uriToPath(uri))).suppressed;
    } catch (e) {
      ctx.connection.console.error(`scanning ${uri} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
  return ctx.store.hiddenAt(uri, range);
}

function hoverText(ctx: ServerContext, f: Finding, rule: RuleDefinition | undefined): string {
  const key = ctx.store.keyOf(f);
  const revoked = ctx.store.revoked.get(key);
  const v = ctx.store.verification.get(key);
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
