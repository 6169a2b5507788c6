/**
 * The Tokenward language server: the CLI's engine, rules, inline ignores and baseline applied to
 * editor buffers as the user types, plus hover details and code actions (revoke, show how to
 * revoke, move to an environment variable, ignore the line, add to the baseline).
 * The server owns all logic; editor clients stay thin launchers. This file is the protocol
 * wiring only; each feature lives in its own module, as vscode-eslint's server is split:
 * finding-store (state), diagnostics, hover, code-actions, commands, revocation-bridge.
 */
import { CodeActionKind, MessageType, ShowMessageNotification, TextDocumentSyncKind, TextDocuments, type Connection, type InitializeParams, type InitializeResult } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActionsFor } from './code-actions.js';
import { Commands } from './commands.js';
import type { ServerContext } from './context.js';
import { Diagnostics, uriToPath } from './diagnostics.js';
import { FindingStore } from './finding-store.js';
import { hoverFor } from './hover.js';
import { ProjectContext } from './project-context.js';
import { COMMANDS, REQUESTS, SERVER_NAME, type DocumentStats } from './protocol.js';
import { revokePackagePort } from './revoke-adapter.js';
import { RevocationBridge } from './revocation-bridge.js';
import type { RevocationPort } from './revocation.js';
import { DEFAULT_SETTINGS, mergeSettings, type ServerSettings } from './settings.js';

export { COMMANDS, REQUESTS, SERVER_NAME, type DiagnosticData, type DocumentStats, type FindingState } from './protocol.js';

export interface ServerOptions {
  /** Built-in rules folder (the bundled extension ships its own copy). */
  rulesDir?: string;
  /** Verification and revocation (default: @tokenward/revoke, as `tokenward revoke`). */
  revocation?: RevocationPort;
}

/** Wires every feature onto `connection`; returns a handle for embedding hosts and tests. */
export function createTokenwardServer(connection: Connection, options: ServerOptions = {}): { dispose(): void } {
  const store = new FindingStore();
  const ctx: ServerContext = {
    connection,
    documents: new TextDocuments(TextDocument),
    store,
    settings: DEFAULT_SETTINGS,
    root: undefined,
    project: undefined,
    revocation: new RevocationBridge(
      options.revocation ?? revokePackagePort(),
      store,
      () => ctx,
      (m) => connection.console.warn(m),
    ),
    notify: (type, message) => void connection.sendNotification(ShowMessageNotification.type, { type, message }),
  };
  const diagnostics = new Diagnostics(ctx);
  const commands = new Commands(ctx, diagnostics);
  let canPullConfiguration = false;
  let settingsFromInit = false;

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    ctx.root = folder ? uriToPath(folder) : (params.rootPath ?? undefined);
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    ctx.settings = mergeSettings(DEFAULT_SETTINGS, init?.settings);
    commands.canCreateProgress = Boolean(params.capabilities.window?.workDoneProgress);
    canPullConfiguration = Boolean(params.capabilities.workspace?.configuration);
    ctx.project = new ProjectContext(ctx.root, ctx.settings, options.rulesDir);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
        executeCommandProvider: { commands: Object.values(COMMANDS) },
      },
      serverInfo: { name: SERVER_NAME, version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    for (const p of ctx.project?.problems ?? []) ctx.notify(MessageType.Warning, `Tokenward: ${p}`);
    if (canPullConfiguration && !settingsFromInit) await pullConfiguration();
  });

  async function pullConfiguration(): Promise<void> {
    try {
      const [raw] = (await connection.workspace.getConfiguration([{ section: 'tokenward' }])) as unknown[];
      if (raw && typeof raw === 'object') applySettings(mergeSettings(ctx.settings, raw));
    } catch {
      // A client that advertises configuration but fails the request keeps the defaults.
    }
  }

  function applySettings(next: ServerSettings): void {
    const rulesChanged = JSON.stringify(next.rules) !== JSON.stringify(ctx.settings.rules);
    ctx.settings = next;
    if (rulesChanged) ctx.project?.reload(next);
    else ctx.project?.reloadBaseline();
    diagnostics.refreshAll();
  }

  connection.onDidChangeConfiguration(async (params) => {
    const raw = (params.settings as { tokenward?: unknown } | null)?.tokenward;
    if (raw !== undefined) {
      settingsFromInit = true;
      applySettings(mergeSettings(ctx.settings, raw));
    } else if (canPullConfiguration) {
      await pullConfiguration();
    }
  });

  diagnostics.listen();
  connection.onHover((params) => hoverFor(ctx, params));
  connection.onCodeAction((params) => codeActionsFor(ctx, diagnostics, params));
  connection.onExecuteCommand((params, _cancel, workDone) => commands.execute(params, workDone));
  connection.onRequest(REQUESTS.documentStats, (params: { uri: string }): DocumentStats | null => {
    const s = store.documents.get(params.uri);
    return s ? { uri: params.uri, version: s.version, findings: s.findings.length, suppressed: s.suppressed?.length ?? 0, analysisMs: s.analysisMs } : null;
  });
  connection.onRequest(REQUESTS.auditLogPath, (): string | null => ctx.revocation.auditLogPath() ?? null);

  ctx.documents.listen(connection);
  return { dispose: () => store.dispose() };
}

export { MessageType };
