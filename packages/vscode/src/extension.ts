/**
 * Tokenward for VS Code: a thin client. It starts the bundled language server (which owns every
 * diagnostic, hover, code action and command), forwards settings, adds three commands and a
 * status bar item with the number of leaked tokens found.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/** Server-side command ids (see @tokenward/language-server COMMANDS). */
const SERVER_COMMANDS = {
  scanWorkspace: 'tokenward.lsp.scanWorkspace',
  revokeAtCursor: 'tokenward.lsp.revokeAtCursor',
} as const;
const AUDIT_LOG_REQUEST = 'tokenward/auditLogPath';
/** The part of the server's diagnostic `data` (DiagnosticData) the status bar reads. */
interface FindingData {
  state?: string;
}

let client: LanguageClient | undefined;

function settings(): Record<string, unknown> {
  // A WorkspaceConfiguration carries functions too: JSON keeps only the values.
  return JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('tokenward'))) as Record<string, unknown>;
}

export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient }> {
  const serverModule = context.asAbsolutePath('dist/server.mjs');
  const args = ['--rules-dir', context.asAbsolutePath('dist/rules')];
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, args },
    debug: { module: serverModule, transport: TransportKind.stdio, args, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  // Per file: leaked and revoked tokens, from each diagnostic's `data.state` (never its text).
  const counts = new Map<string, { leaked: number; revoked: number }>();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
    synchronize: { configurationSection: 'tokenward' },
    initializationOptions: { settings: settings() },
    outputChannelName: 'Tokenward',
    middleware: {
      handleDiagnostics(uri, diagnostics, next) {
        const revoked = diagnostics.filter((d) => (d as vscode.Diagnostic & { data?: FindingData }).data?.state === 'revoked').length;
        if (diagnostics.length) counts.set(uri.toString(), { leaked: diagnostics.length - revoked, revoked });
        else counts.delete(uri.toString());
        next(uri, diagnostics);
        updateStatus();
      },
    },
  };
  client = new LanguageClient('tokenward', 'Tokenward', serverOptions, clientOptions);

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 100);
  status.name = 'Tokenward';
  status.command = 'workbench.actions.view.problems';
  function updateStatus(): void {
    let count = 0;
    let revoked = 0;
    for (const c of counts.values()) {
      count += c.leaked;
      revoked += c.revoked;
    }
    status.text = count ? `$(shield) ${count} leaked token${count === 1 ? '' : 's'}` : '$(shield) no leaked tokens';
    status.tooltip = `Tokenward: ${count} leaked token${count === 1 ? '' : 's'} in open and scanned files${revoked ? `, ${revoked} revoked` : ''}. Click for the Problems panel.`;
    status.backgroundColor = count ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
  updateStatus();
  status.show();

  const running = () => {
    if (!client) throw new Error('Tokenward language server is not running');
    return client;
  };

  context.subscriptions.push(
    status,
    vscode.commands.registerCommand('tokenward.scanWorkspace', async () => {
      const result = (await running().sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.scanWorkspace, arguments: [] })) as { files: number; findings: number; problems: string[] };
      void vscode.window.showInformationMessage(`Tokenward: ${result.findings} leaked token${result.findings === 1 ? '' : 's'} in ${result.files} files.${result.problems.length ? ` ${result.problems.length} files could not be read (see the Tokenward output).` : ''}`);
      return result;
    }),
    vscode.commands.registerCommand('tokenward.revokeAtCursor', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage('Tokenward: open a file and put the cursor on a leaked token.');
        return undefined;
      }
      const c = running();
      const result: unknown = await c.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER_COMMANDS.revokeAtCursor,
        arguments: [{ uri: c.code2ProtocolConverter.asUri(editor.document.uri), position: c.code2ProtocolConverter.asPosition(editor.selection.active) }],
      });
      return result;
    }),
    vscode.commands.registerCommand('tokenward.openAuditLog', async () => {
      const path = await running().sendRequest<string | null>(AUDIT_LOG_REQUEST);
      if (!path) {
        void vscode.window.showInformationMessage('Tokenward: open a folder first; the audit log lives in the workspace.');
        return undefined;
      }
      const uri = vscode.Uri.file(path);
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        void vscode.window.showInformationMessage(`Tokenward: nothing revoked yet (${path} does not exist).`);
        return undefined;
      }
      await vscode.window.showTextDocument(uri, { preview: false });
      return path;
    }),
  );

  await client.start();
  return { client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
