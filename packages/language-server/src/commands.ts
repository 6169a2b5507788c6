/** The commands clients execute: revoke (after confirmation), show how to revoke, add to the
 * baseline, scan the workspace. */
import { pathToFileURL } from 'node:url';
import { MessageType, WorkDoneProgressReporter, type ExecuteCommandParams } from 'vscode-languageserver';
import type { ServerContext } from './context.js';
import type { Diagnostics } from './diagnostics.js';
import { COMMANDS, type CommandResult } from './protocol.js';
import { manualSteps } from './revocation.js';
import { scanWorkspace } from './workspace-scan.js';

/** A command's argument: the document and the secret's key (`DiagnosticData.key`), or a cursor. */
export interface CommandArgument {
  uri?: string;
  key?: string;
  position?: { line: number; character: number };
}

export class Commands {
  /** Set from the client's capabilities at initialization. */
  canCreateProgress = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly diagnostics: Diagnostics,
  ) {}

  execute(params: ExecuteCommandParams, workDone: WorkDoneProgressReporter): unknown {
    // The library moves a client-given workDoneToken into `workDone` (a no-op reporter otherwise).
    const clientProgress = WorkDoneProgressReporter.isNullInstance(workDone) ? undefined : workDone;
    const arg = (params.arguments?.[0] ?? {}) as CommandArgument;
    switch (params.command) {
      case COMMANDS.revoke:
        return this.revoke(arg.uri, arg.key ?? '');
      case COMMANDS.revokeAtCursor:
        return this.revokeAtCursor(arg);
      case COMMANDS.showRevokeSteps:
        return this.showRevokeSteps(arg.uri, arg.key ?? '');
      case COMMANDS.addToBaseline:
        return this.addToBaseline(arg.uri, arg.key ?? '');
      case COMMANDS.scanWorkspace:
        return this.scanWorkspace(clientProgress);
      default:
        return undefined;
    }
  }

  private async revokeAtCursor(arg: CommandArgument): Promise<CommandResult> {
    if (!arg.uri || !arg.position) return { status: 'failed', detail: 'no cursor position' };
    const f = this.ctx.store.findingAt(arg.uri, { start: arg.position, end: arg.position });
    if (!f) {
      this.ctx.notify(MessageType.Info, 'Tokenward: no leaked token at the cursor.');
      return { status: 'none', detail: 'no token at the cursor' };
    }
    return this.revoke(arg.uri, this.ctx.store.keyOf(f));
  }

  private async revoke(uri: string | undefined, key: string): Promise<CommandResult> {
    const { store, project, revocation, connection } = this.ctx;
    const hit = store.byKey(uri, key);
    if (!hit) return { status: 'failed', detail: 'the finding is no longer in the document' };
    const { finding } = hit;
    const rule = project?.rule(finding.ruleId);
    if (!rule) return { status: 'failed', detail: `unknown rule ${finding.ruleId}` };
    if (store.revoked.has(key)) return { status: 'revoked', detail: 'already revoked' };
    const preview = revocation.preview(rule, finding);
    if (!preview.api) return this.showRevokeSteps(hit.uri, key);
    const choice = await connection.window.showWarningMessage(
      `Revoke ${finding.provider} token ${finding.redacted}? Tokenward will ${preview.summary}. This cannot be undone.`,
      { title: 'Revoke' },
      { title: 'Cancel' },
    );
    if (choice?.title !== 'Revoke') return { status: 'cancelled', detail: 'not confirmed' };
    const outcome = await revocation.revoke(rule, finding);
    if (!outcome.ok) {
      this.ctx.notify(MessageType.Error, `Tokenward: revoking ${finding.provider} token ${finding.redacted} failed: ${outcome.detail}`);
      return { status: 'failed', detail: outcome.detail };
    }
    this.diagnostics.republish(key);
    this.ctx.notify(MessageType.Info, `Tokenward: ${finding.provider} token ${finding.redacted} revoked (${outcome.detail}).${outcome.auditLog ? ` Recorded in ${outcome.auditLog}.` : ''}`);
    return { status: 'revoked', detail: outcome.detail };
  }

  private async showRevokeSteps(uri: string | undefined, key: string): Promise<CommandResult> {
    const { store, project, connection } = this.ctx;
    const hit = store.byKey(uri, key);
    const rule = hit ? project?.rule(hit.finding.ruleId) : undefined;
    const manual = rule ? manualSteps(rule) : undefined;
    if (!hit || !manual) return { status: 'failed', detail: 'no revocation steps known for this finding' };
    const open = manual.url ? { title: 'Open documentation' } : undefined;
    const choice = await connection.window.showInformationMessage(`Revoke ${hit.finding.provider} token ${hit.finding.redacted} by hand: ${manual.steps}`, ...(open ? [open] : []));
    if (open && choice?.title === open.title && manual.url) {
      try {
        await connection.window.showDocument({ uri: manual.url, external: true });
      } catch {
        // Clients without window/showDocument still showed the steps.
      }
    }
    return { status: 'manual', detail: manual.steps };
  }

  private addToBaseline(uri: string | undefined, key: string): CommandResult {
    const { store, project } = this.ctx;
    const hit = store.byKey(uri, key);
    if (!hit || !project) return { status: 'failed', detail: 'the finding is no longer in the document' };
    try {
      const file = project.addToBaseline(hit.finding);
      this.diagnostics.refreshAll();
      for (const [u, findings] of store.scanned)
        store.scanned.set(
          u,
          findings.filter((f) => store.keyOf(f) !== key),
        );
      for (const [u, findings] of store.scanned) this.diagnostics.publish(u, findings);
      return { status: 'baselined', detail: file };
    } catch (e) {
      this.ctx.notify(MessageType.Error, `Tokenward: ${(e as Error).message}`);
      return { status: 'failed', detail: (e as Error).message };
    }
  }

  private async scanWorkspace(clientProgress: WorkDoneProgressReporter | undefined): Promise<{ files: number; findings: number; problems: string[] }> {
    const { root, project, documents, store, connection } = this.ctx;
    if (!root || !project) return { files: 0, findings: 0, problems: ['no workspace folder is open'] };
    const progress = clientProgress ?? (this.canCreateProgress ? await connection.window.createWorkDoneProgress() : undefined);
    progress?.begin('Tokenward: scanning workspace', 0, 'listing files', false);
    const openUris = new Set(documents.all().map((d) => d.uri));
    const previous = new Set(store.scanned.keys());
    let total = 0;
    const result = await scanWorkspace(root, project, (done, all, file) => {
      progress?.report(all ? Math.floor((done / all) * 100) : 0, `${done}/${all} ${file}`);
    });
    for (const [path, findings] of result.findings) {
      const uri = pathToFileURL(path).href;
      total += findings.length;
      if (openUris.has(uri)) continue;
      store.scanned.set(uri, findings);
      previous.delete(uri);
      this.diagnostics.publish(uri, findings);
    }
    // Files that had findings in an earlier scan and have none now.
    for (const uri of previous) {
      if (openUris.has(uri)) continue;
      store.scanned.delete(uri);
      this.diagnostics.publish(uri, []);
    }
    for (const doc of documents.all()) total += store.documents.get(doc.uri)?.findings.length ?? 0;
    progress?.done();
    for (const p of result.problems) connection.console.warn(p);
    return { files: result.files, findings: total, problems: result.problems };
  }
}
