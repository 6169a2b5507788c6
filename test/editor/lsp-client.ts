/**
 * A real LSP client over stdio for protocol tests: spawns `tokenward lsp --stdio` and talks JSON-RPC
 * through vscode-jsonrpc (the library VS Code's own client is built on).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { BIN } from '../helpers/cli.js';

export interface ShowMessageRequest {
  type: number;
  message: string;
  actions?: { title: string }[];
}

export interface LspClientOptions {
  root: string;
  settings?: Record<string, unknown>;
  /** Answer to `window/showMessageRequest` (default: the first action). */
  answer?: (req: ShowMessageRequest) => string | null;
  env?: NodeJS.ProcessEnv;
  /** Server command line (default: `node packages/cli/bin/tokenward.js lsp --stdio`). */
  command?: string[];
  /** false: no workspace folder (a single file opened); `root` is then only the server's cwd. */
  workspace?: boolean;
}

export class LspTestClient {
  readonly connection: MessageConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly messageRequests: ShowMessageRequest[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly progress: unknown[] = [];
  readonly stderr: string[] = [];
  private waiters: (() => void)[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly options: LspClientOptions,
  ) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    child.stderr.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.notify();
    });
    this.connection.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.messages.push(p);
      this.notify();
    });
    this.connection.onNotification('window/logMessage', () => {});
    this.connection.onNotification('$/progress', (p: unknown) => {
      this.progress.push(p);
      this.notify();
    });
    this.connection.onRequest('window/showMessageRequest', (p: ShowMessageRequest) => {
      this.messageRequests.push(p);
      this.notify();
      const title = options.answer ? options.answer(p) : (p.actions?.[0]?.title ?? null);
      return title === null ? null : { title };
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('window/showDocument', () => ({ success: true }));
    this.connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => options.settings ?? null));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
  }

  static async start(options: LspClientOptions): Promise<LspTestClient> {
    const [cmd, ...args] = options.command ?? [process.execPath, BIN, 'lsp', '--stdio'];
    const child = spawn(cmd!, args, { cwd: options.root, env: { ...process.env, ...options.env }, stdio: 'pipe' });
    const client = new LspTestClient(child, options);
    const result = (await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.workspace === false ? null : pathToFileURL(options.root).href,
      workspaceFolders: options.workspace === false ? null : [{ uri: pathToFileURL(options.root).href, name: 'ws' }],
      capabilities: {
        window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: false } }, showDocument: { support: true } },
        workspace: { configuration: true },
        textDocument: { publishDiagnostics: { versionSupport: true, dataSupport: true }, codeAction: { dataSupport: true }, hover: { contentFormat: ['markdown'] } },
      },
      initializationOptions: options.settings ? { settings: options.settings } : undefined,
    })) as InitializeResult;
    client.initializeResult = result;
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  initializeResult!: InitializeResult;

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until `check` holds after some server message, or fails after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; server stderr: ${this.stderr.join('')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  open(uri: string, text: string, languageId = 'plaintext'): Promise<void> {
    this.versions.set(uri, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** An incremental change: replace `range` with `text`. */
  change(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Diagnostics published for exactly the current version of `uri`. */
  diagnosticsFor(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.waitFor(() => {
      const p = this.diagnostics.get(uri);
      if (!p) return undefined;
      if (p.version !== undefined && this.versions.has(uri) && p.version !== this.versions.get(uri)) return undefined;
      return predicate(p.diagnostics) ? p.diagnostics : undefined;
    }, `diagnostics for ${uri}`, timeoutMs);
  }

  async stop(): Promise<number | null> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // The process may already be gone.
    }
    const code = await new Promise<number | null>((r) => {
      if (this.child.exitCode !== null) return r(this.child.exitCode);
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        r(null);
      }, 3000);
      this.child.once('exit', (c) => {
        clearTimeout(t);
        r(c);
      });
    });
    this.connection.dispose();
    return code;
  }
}
