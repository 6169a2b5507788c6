/** Quick fixes for a finding: revoke (or how to), move to an environment variable, ignore the
 * line, add to the baseline. */
import { CodeAction, CodeActionKind, TextEdit, type CodeActionParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '@tokenward/engine';
import { allowComment, languageOf } from './comments.js';
import type { CommandArgument } from './commands.js';
import type { ServerContext } from './context.js';
import { uriToPath, type Diagnostics } from './diagnostics.js';
import { envVarEdits, suggestEnvName, supportsEnvReplacement } from './env-replace.js';
import { COMMANDS, intersects, rangeOf, SERVER_NAME, type DiagnosticData } from './protocol.js';
import { manualSteps } from './revocation.js';

export function codeActionsFor(ctx: ServerContext, diagnostics: Diagnostics, params: CodeActionParams): CodeAction[] {
  const uri = params.textDocument.uri;
  const doc = ctx.documents.get(uri);
  const fromDiagnostics = params.context.diagnostics
    .filter((d) => d.source === SERVER_NAME)
    .map((d) => ctx.store.byKey(uri, (d.data as DiagnosticData | undefined)?.key ?? '')?.finding)
    .filter((f): f is Finding => f !== undefined);
  const findings = fromDiagnostics.length ? fromDiagnostics : ctx.store.findingsOf(uri).filter((f) => intersects(rangeOf(f), params.range));
  const seen = new Set<string>();
  const actions: CodeAction[] = [];
  for (const f of findings) {
    const key = `${ctx.store.keyOf(f)}@${f.byteOffset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    actions.push(...actionsFor(ctx, diagnostics, uri, doc, f));
  }
  return actions;
}

function actionsFor(ctx: ServerContext, diagnostics: Diagnostics, uri: string, doc: TextDocument | undefined, f: Finding): CodeAction[] {
  const rule = ctx.project?.rule(f.ruleId);
  const diagnostic = diagnostics.toDiagnostic(f);
  const actions: CodeAction[] = [];
  const quickFix = (title: string, target: Pick<CodeAction, 'command' | 'edit'>): void => {
    const a = CodeAction.create(title, CodeActionKind.QuickFix);
    Object.assign(a, target);
    a.diagnostics = [diagnostic];
    actions.push(a);
  };
  const key = ctx.store.keyOf(f);
  const isRevoked = ctx.store.revoked.has(key);
  const preview = rule ? ctx.revocation.preview(rule, f) : undefined;
  const args: CommandArgument[] = [{ uri, key }];
  if (!isRevoked && preview?.api) {
    const title = `Revoke ${f.provider} token`;
    quickFix(title, { command: { title, command: COMMANDS.revoke, arguments: args } });
  } else if (!isRevoked && rule && manualSteps(rule)) {
    const title = `Show how to revoke ${f.provider} token`;
    quickFix(title, { command: { title, command: COMMANDS.showRevokeSteps, arguments: args } });
  }
  if (doc) {
    const language = languageOf(doc.languageId, uriToPath(uri));
    const lineText = (line: number) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
    if (f.start.line === f.end.line && supportsEnvReplacement(language)) {
      const line = f.start.line - 1;
      const text = lineText(line);
      const name = suggestEnvName(text, f.start.column - 1, f.provider);
      const edits = envVarEdits(doc.getText(), line, text, f.start.column - 1, f.end.column - 1, language, name);
      if (edits) {
        const changes = edits.map((e) => TextEdit.replace({ start: { line: e.line, character: e.start }, end: { line: e.line, character: e.end } }, e.newText));
        quickFix(`Replace with environment variable ${name}`, { edit: { changes: { [uri]: changes } } });
      }
    }
    const comment = allowComment(language);
    if (comment) {
      // The directive goes on the secret's last line: a same-line directive anywhere it spans counts.
      const line = f.end.line - 1;
      quickFix('Ignore this line (tokenward:allow)', { edit: { changes: { [uri]: [TextEdit.insert({ line, character: lineText(line).length }, comment)] } } });
    }
  }
  if (ctx.root) quickFix('Add to baseline', { command: { title: 'Add to baseline', command: COMMANDS.addToBaseline, arguments: args } });
  return actions;
}
