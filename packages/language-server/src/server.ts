/**
 * The Tokenward language server: the CLI's engine, rules, inline ignores and baseline applied to
 * editor buffers as the user types, plus hover details and code actions (revoke, show how to
 * revoke, move to an environment variable, ignore the line, add to the baseline).
 * The server owns all logic; editor clients stay thin launchers.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  MarkupKind,
  MessageType,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
  TextEdit,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type ExecuteCommandParams,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type Range,
  WorkDoneProgressReporter,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, RuleDefinition } from '@tokenward/engine';
import { allowComment, languageOf } from './comments.js';
import { envVarEdits, suggestEnvName, supportsEnvReplacement } from './env-replace.js';
import { ProjectContext } from './project-context.js';
import { revokePackagePort } from './revoke-adapter.js';
import { manualSteps, type RevocationPort, type VerificationResult } from './revocation.js';
import { DEFAULT_SETTINGS, mergeSettings, type DiagnosticSeverityName, type ServerSettings } from './settings.js';
import { scanWorkspace } from './workspace-scan.js';

export const SERVER_NAME = 'tokenward';

/** Commands the server executes (`workspace/executeCommand`). Clients call them; they never
 * register the same ids themselves. */
export const COMMANDS = {
  revoke: 'tokenward.lsp.revoke',
  revokeAtCursor: 'tokenward.lsp.revokeAtCursor',
  showRevokeSteps: 'tokenward.lsp.showRevokeSteps',
  addToBaseline: 'tokenward.lsp.addToBaseline',
  scanWorkspace: 'tokenward.lsp.scanWorkspace',
} as const;

/** Custom requests, for clients and tests. */
export const REQUESTS = {
  /** → { uri, version, findings, suppressed, analysisMs } for an open document. */
  documentStats: 'tokenward/documentStats',
  /** → the audit log path, or null when there is no workspace. */
  auditLogPath: 'tokenward/auditLogPath',
} as const;

export interface DocumentStats {
  uri: string;
  version: number;
  findings: number;
  suppressed: number;
  /** Server time of the last analysis: scan, suppression, diagnostics (ms). */
  analysisMs: number;
}

export interface ServerOptions {
  /** Built-in rules folder (the bundled extension ships its own copy). */
  rulesDir?: string;
  /** Verification and revocation (default: @tokenward/revoke, as `tokenward revoke`). */
  revocation?: RevocationPort;
}

/** The diagnostic `data` a client echoes back in code-action requests. Never the secret. */
export interface DiagnosticData {
  fingerprint: string;
  ruleId: string;
  /** With verification on: the provider's answer (`active`, `inactive`, `unknown`). */
  verified?: VerificationResult['status'];
}

interface DocState {
  version: number;
  findings: Finding[];
  suppressed: number;
  analysisMs: number;
  timer: NodeJS.Timeout | undefined;
}

interface Revoked {
  at: string;
  detail: string;
}

const SEVERITY: Record<DiagnosticSeverityName, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const uriToPath = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

const rangeOf = (f: Finding): Range => ({
  start: { line: f.start.line - 1, character: f.start.column - 1 },
  end: { line: f.end.line - 1, character: f.end.column - 1 },
});

const before = (a: { line: number; character: number }, b: { line: number; character: number }): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);
const intersects = (a: Range, b: Range): boolean => !before(a.end, b.start) && !before(b.end, a.start);

/** Wires every handler onto `connection`; returns a handle for embedding hosts and tests. */
export function createTokenwardServer(connection: Connection, options: ServerOptions = {}): { dispose(): void } {
  const documents = new TextDocuments(TextDocument);
  const states = new Map<string, DocState>();
  /** Files filled by a workspace scan (not open): uri → findings, so actions work there too. */
  const scanned = new Map<string, Finding[]>();
  const revoked = new Map<string, Revoked>();
  const verification = new Map<string, VerificationResult>();
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let root: string | undefined;
  let project: ProjectContext | undefined;
  let canCreateProgress = false;
  let canPullConfiguration = false;
  const revocation: RevocationPort = options.revocation ?? revokePackagePort();

  /** Editor settings first, then the project's configuration (as `tokenward revoke` reads it). */
  /** Plain messages are notifications: a request would make some clients block on a prompt. */
  const notify = (type: MessageType, message: string): void => {
    void connection.sendNotification(ShowMessageNotification.type, { type, message });
  };

  const ctx = () => {
    const cfg = project?.config;
    const effective: ServerSettings = {
      ...settings,
      auditLog: settings.auditLog || cfg?.resolved.auditLog || '',
      // The user's own and a trusted project configuration's endpoints (an untrusted project's are never here).
      providerEndpoints: { ...Object.fromEntries((cfg?.endpoints ?? []).map((e) => [e.key, e.origin])), ...settings.providerEndpoints },
    };
    return { settings: effective, root };
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    root = folder ? uriToPath(folder) : (params.rootPath ?? undefined);
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    settings = mergeSettings(DEFAULT_SETTINGS, init?.settings);
    canCreateProgress = Boolean(params.capabilities.window?.workDoneProgress);
    canPullConfiguration = Boolean(params.capabilities.workspace?.configuration);
    project = new ProjectContext(root, settings, options.rulesDir);
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
    for (const p of project?.problems ?? []) notify(MessageType.Warning, `Tokenward: ${p}`);
    if (canPullConfiguration && !settingsFromInit) await pullConfiguration();
  });
  let settingsFromInit = false;

  async function pullConfiguration(): Promise<void> {
    try {
      const [raw] = (await connection.workspace.getConfiguration([{ section: 'tokenward' }])) as unknown[];
      if (raw && typeof raw === 'object') applySettings(mergeSettings(settings, raw));
    } catch {
      // A client that advertises configuration but fails the request keeps the defaults.
    }
  }

  function applySettings(next: ServerSettings): void {
    const rulesChanged = JSON.stringify(next.rules) !== JSON.stringify(settings.rules);
    settings = next;
    if (rulesChanged) project?.reload(settings);
    else project?.reloadBaseline();
    refreshAll();
  }

  connection.onDidChangeConfiguration(async (params) => {
    const raw = (params.settings as { tokenward?: unknown } | null)?.tokenward;
    if (raw !== undefined) {
      settingsFromInit = true;
      applySettings(mergeSettings(settings, raw));
    } else if (canPullConfiguration) {
      await pullConfiguration();
    }
  });

  // ---------------------------------------------------------------------------------------------
  // Diagnostics

  function toDiagnostic(f: Finding): Diagnostic {
    const rule = project?.rule(f.ruleId);
    const r = revoked.get(f.fingerprint);
    const status = verification.get(f.fingerprint)?.status;
    const data: DiagnosticData = { fingerprint: f.fingerprint, ruleId: f.ruleId, ...(status ? { verified: status } : {}) };
    const diag: Diagnostic = {
      range: rangeOf(f),
      severity: r ? DiagnosticSeverity.Hint : SEVERITY[settings.severity],
      source: SERVER_NAME,
      code: f.ruleId,
      message: r
        ? `revoked: ${f.provider} token ${f.redacted} was revoked; remove it from the code`
        : `${f.title}: ${f.redacted}${status === 'active' ? ' (live)' : status === 'inactive' ? ' (inactive)' : ''}`,
      data,
    };
    if (rule?.rotate?.url) diag.codeDescription = { href: rule.rotate.url };
    // Revoked or verified inactive: shown faded (the token no longer works, the leak still needs cleaning up).
    if (r || status === 'inactive') diag.tags = [DiagnosticTag.Unnecessary];
    return diag;
  }

  function publish(uri: string, findings: readonly Finding[]): void {
    void connection.sendDiagnostics({ uri, diagnostics: settings.enable ? findings.map(toDiagnostic) : [] });
  }

  function analyze(doc: TextDocument): void {
    if (!project) return;
    const state = stateOf(doc);
    clearTimeout(state.timer);
    state.timer = undefined;
    const started = performance.now();
    const fsPath = uriToPath(doc.uri);
    const path = project.displayPath(fsPath);
    let result: { findings: Finding[]; suppressed: number } = { findings: [], suppressed: 0 };
    try {
      if (settings.enable && !project.isIgnoredPath(fsPath)) result = project.analyze(doc.getText(), path);
    } catch (e) {
      // One document the engine trips on must not take the server down: report it and go on.
      connection.console.error(`scanning ${path} failed: ${(e as Error).stack ?? String(e)}`);
    }
    const diagnostics = result.findings.map(toDiagnostic);
    state.analysisMs = performance.now() - started;
    state.version = doc.version;
    state.findings = result.findings;
    state.suppressed = result.suppressed;
    scanned.delete(doc.uri);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    if (settings.verify && revocation?.verify) void verifyFindings(doc.uri, result.findings);
  }

  async function verifyFindings(uri: string, findings: readonly Finding[]): Promise<void> {
    let changed = false;
    for (const f of findings) {
      const rule = project?.rule(f.ruleId);
      if (!rule?.verify || verification.has(f.fingerprint) || revoked.has(f.fingerprint)) continue;
      verification.set(f.fingerprint, { status: 'unknown' });
      try {
        const result = await revocation!.verify!(rule, f, ctx());
        verification.set(f.fingerprint, result);
        changed ||= result.status !== 'unknown';
      } catch (e) {
        connection.console.warn(`verify ${f.ruleId} ${f.redacted}: ${(e as Error).message}`);
      }
    }
    const state = states.get(uri);
    if (changed && state) publish(uri, state.findings);
  }

  function stateOf(doc: TextDocument): DocState {
    let s = states.get(doc.uri);
    if (!s) {
      s = { version: doc.version, findings: [], suppressed: 0, analysisMs: 0, timer: undefined };
      states.set(doc.uri, s);
    }
    return s;
  }

  function refreshAll(): void {
    for (const doc of documents.all()) analyze(doc);
    for (const [uri, findings] of scanned) publish(uri, findings);
  }

  documents.onDidOpen((e) => analyze(e.document));
  documents.onDidChangeContent((e) => {
    // The first content event of a document is its open: already analyzed right away.
    const state = states.get(e.document.uri);
    if (!state || state.version === e.document.version) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      const doc = documents.get(e.document.uri);
      if (doc) analyze(doc);
    }, settings.debounceMs);
  });
  documents.onDidClose((e) => {
    const state = states.get(e.document.uri);
    clearTimeout(state?.timer);
    states.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  /** Findings known for a uri: its open buffer first, else the last workspace scan. */
  function findingsOf(uri: string): Finding[] {
    return states.get(uri)?.findings ?? scanned.get(uri) ?? [];
  }

  function findingAt(uri: string, range: Range): Finding | undefined {
    return findingsOf(uri).find((f) => intersects(rangeOf(f), range));
  }

  function findingByFingerprint(uri: string | undefined, fingerprint: string): { uri: string; finding: Finding } | undefined {
    if (uri) {
      const f = findingsOf(uri).find((x) => x.fingerprint === fingerprint);
      if (f) return { uri, finding: f };
    }
    for (const [u, s] of [...states.entries()].map(([k, v]) => [k, v.findings] as const).concat([...scanned.entries()])) {
      const f = s.find((x) => x.fingerprint === fingerprint);
      if (f) return { uri: u, finding: f };
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Hover

  connection.onHover((params: HoverParams): Hover | null => {
    const at: Range = { start: params.position, end: params.position };
    const f = findingAt(params.textDocument.uri, at);
    if (!f) return null;
    const rule = project?.rule(f.ruleId);
    return { contents: { kind: MarkupKind.Markdown, value: hoverText(f, rule) }, range: rangeOf(f) };
  });

  function hoverText(f: Finding, rule: RuleDefinition | undefined): string {
    const r = revoked.get(f.fingerprint);
    const v = verification.get(f.fingerprint);
    const details = v ? [v.host, v.httpStatus !== undefined ? `HTTP ${v.httpStatus}` : undefined, v.checkedAt].filter(Boolean).join(', ') : '';
    const status = r ? `revoked ${r.at}` : v ? `${v.status}${details ? ` (${details})` : ''}` : settings.verify && rule?.verify ? 'not checked yet' : 'not checked (verification is off)';
    const lines = [
      `**${f.title}**${r ? ' — revoked' : ''}`,
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
      ...(!r && v?.access ? v.access.facts.map((x) => `| ${x.label} | ${x.text.replace(/\|/g, '\\|')} |`) : []),
    ];
    const preview = rule && revocation ? revocation.preview(rule, f, ctx()) : undefined;
    const manual = rule ? manualSteps(rule) : undefined;
    lines.push('');
    if (preview?.api && !r) lines.push(`**Revoke:** use the quick fix "Revoke ${f.provider} token" (${preview.summary}).`, '');
    if (manual) lines.push(`**How to rotate:** ${manual.steps}${manual.url ? ` — [documentation](${manual.url})` : ''}`);
    return lines.join('\n');
  }

  // ---------------------------------------------------------------------------------------------
  // Code actions

  connection.onCodeAction((params: CodeActionParams): CodeAction[] => {
    const uri = params.textDocument.uri;
    const doc = documents.get(uri);
    const fromDiagnostics = params.context.diagnostics
      .filter((d) => d.source === SERVER_NAME)
      .map((d) => findingByFingerprint(uri, (d.data as DiagnosticData | undefined)?.fingerprint ?? '')?.finding)
      .filter((f): f is Finding => f !== undefined);
    const findings = fromDiagnostics.length ? fromDiagnostics : findingsOf(uri).filter((f) => intersects(rangeOf(f), params.range));
    const seen = new Set<string>();
    const actions: CodeAction[] = [];
    for (const f of findings) {
      const key = `${f.fingerprint}@${f.byteOffset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      actions.push(...actionsFor(uri, doc, f));
    }
    return actions;
  });

  function actionsFor(uri: string, doc: TextDocument | undefined, f: Finding): CodeAction[] {
    const rule = project?.rule(f.ruleId);
    const diagnostic = toDiagnostic(f);
    const actions: CodeAction[] = [];
    const isRevoked = revoked.has(f.fingerprint);
    const preview = rule && revocation ? revocation.preview(rule, f, ctx()) : undefined;
    const args = [{ uri, fingerprint: f.fingerprint }];
    if (!isRevoked && preview?.api) {
      const a = CodeAction.create(`Revoke ${f.provider} token`, { title: `Revoke ${f.provider} token`, command: COMMANDS.revoke, arguments: args }, CodeActionKind.QuickFix);
      a.diagnostics = [diagnostic];
      actions.push(a);
    } else if (!isRevoked && rule && manualSteps(rule)) {
      const a = CodeAction.create(`Show how to revoke ${f.provider} token`, { title: `Show how to revoke ${f.provider} token`, command: COMMANDS.showRevokeSteps, arguments: args }, CodeActionKind.QuickFix);
      a.diagnostics = [diagnostic];
      actions.push(a);
    }
    if (doc) {
      const language = languageOf(doc.languageId, uriToPath(uri));
      if (f.start.line === f.end.line && supportsEnvReplacement(language)) {
        const line = f.start.line - 1;
        const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
        const name = suggestEnvName(lineText, f.start.column - 1, f.provider);
        const edits = envVarEdits(doc.getText(), line, lineText, f.start.column - 1, f.end.column - 1, language, name);
        if (edits) {
          const a = CodeAction.create(
            `Replace with environment variable ${name}`,
            { changes: { [uri]: edits.map((e) => TextEdit.replace({ start: { line: e.line, character: e.start }, end: { line: e.line, character: e.end } }, e.newText)) } },
            CodeActionKind.QuickFix,
          );
          a.diagnostics = [diagnostic];
          actions.push(a);
        }
      }
      const comment = allowComment(language);
      if (comment) {
        // The directive goes on the secret's last line: a same-line directive anywhere it spans counts.
        const line = f.end.line - 1;
        const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
        const a = CodeAction.create('Ignore this line (tokenward:allow)', { changes: { [uri]: [TextEdit.insert({ line, character: lineText.length }, comment)] } }, CodeActionKind.QuickFix);
        a.diagnostics = [diagnostic];
        actions.push(a);
      }
    }
    if (root) {
      const a = CodeAction.create('Add to baseline', { title: 'Add to baseline', command: COMMANDS.addToBaseline, arguments: args }, CodeActionKind.QuickFix);
      a.diagnostics = [diagnostic];
      actions.push(a);
    }
    return actions;
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  connection.onExecuteCommand(async (params: ExecuteCommandParams, _cancel, workDone) => {
    // The library moves a client-given workDoneToken into `workDone` (a no-op reporter otherwise).
    const clientProgress = WorkDoneProgressReporter.isNullInstance(workDone) ? undefined : workDone;
    const arg = (params.arguments?.[0] ?? {}) as { uri?: string; fingerprint?: string; position?: { line: number; character: number } };
    switch (params.command) {
      case COMMANDS.revoke:
        return revokeCommand(arg.uri, arg.fingerprint ?? '');
      case COMMANDS.revokeAtCursor: {
        if (!arg.uri || !arg.position) return { status: 'failed', detail: 'no cursor position' };
        const f = findingAt(arg.uri, { start: arg.position, end: arg.position });
        if (!f) {
          notify(MessageType.Info, 'Tokenward: no leaked token at the cursor.');
          return { status: 'none', detail: 'no token at the cursor' };
        }
        return revokeCommand(arg.uri, f.fingerprint);
      }
      case COMMANDS.showRevokeSteps:
        return showRevokeSteps(arg.uri, arg.fingerprint ?? '');
      case COMMANDS.addToBaseline:
        return addToBaseline(arg.uri, arg.fingerprint ?? '');
      case COMMANDS.scanWorkspace:
        return runWorkspaceScan(clientProgress);
      default:
        return undefined;
    }
  });

  async function revokeCommand(uri: string | undefined, fingerprint: string): Promise<{ status: string; detail: string }> {
    const hit = findingByFingerprint(uri, fingerprint);
    if (!hit) return { status: 'failed', detail: 'the finding is no longer in the document' };
    const { finding } = hit;
    const rule = project?.rule(finding.ruleId);
    if (!rule) return { status: 'failed', detail: `unknown rule ${finding.ruleId}` };
    if (revoked.has(fingerprint)) return { status: 'revoked', detail: 'already revoked' };
    const preview = revocation?.preview(rule, finding, ctx());
    if (!preview?.api || !revocation) return showRevokeSteps(hit.uri, fingerprint);
    const choice = await connection.window.showWarningMessage(
      `Revoke ${finding.provider} token ${finding.redacted}? Tokenward will ${preview.summary}. This cannot be undone.`,
      { title: 'Revoke' },
      { title: 'Cancel' },
    );
    if (choice?.title !== 'Revoke') return { status: 'cancelled', detail: 'not confirmed' };
    let outcome;
    try {
      outcome = await revocation.revoke(rule, finding, ctx());
    } catch (e) {
      outcome = { ok: false, detail: (e as Error).message };
    }
    if (!outcome.ok) {
      notify(MessageType.Error, `Tokenward: revoking ${finding.provider} token ${finding.redacted} failed: ${outcome.detail}`);
      return { status: 'failed', detail: outcome.detail };
    }
    revoked.set(fingerprint, { at: new Date().toISOString(), detail: outcome.detail });
    verification.set(fingerprint, { status: 'inactive' });
    for (const [u, s] of states) if (s.findings.some((f) => f.fingerprint === fingerprint)) publish(u, s.findings);
    for (const [u, findings] of scanned) if (findings.some((f) => f.fingerprint === fingerprint)) publish(u, findings);
    notify(MessageType.Info, `Tokenward: ${finding.provider} token ${finding.redacted} revoked (${outcome.detail}).${outcome.auditLog ? ` Recorded in ${outcome.auditLog}.` : ''}`);
    return { status: 'revoked', detail: outcome.detail };
  }

  async function showRevokeSteps(uri: string | undefined, fingerprint: string): Promise<{ status: string; detail: string }> {
    const hit = findingByFingerprint(uri, fingerprint);
    const rule = hit ? project?.rule(hit.finding.ruleId) : undefined;
    const manual = rule ? manualSteps(rule) : undefined;
    if (!hit || !manual) return { status: 'failed', detail: 'no revocation steps known for this finding' };
    const open = manual.url ? { title: 'Open documentation' } : undefined;
    const choice = await connection.window.showInformationMessage(
      `Revoke ${hit.finding.provider} token ${hit.finding.redacted} by hand: ${manual.steps}`,
      ...(open ? [open] : []),
    );
    if (open && choice?.title === open.title && manual.url) {
      try {
        await connection.window.showDocument({ uri: manual.url, external: true });
      } catch {
        // Clients without window/showDocument still showed the steps.
      }
    }
    return { status: 'manual', detail: manual.steps };
  }

  async function addToBaseline(uri: string | undefined, fingerprint: string): Promise<{ status: string; detail: string }> {
    const hit = findingByFingerprint(uri, fingerprint);
    if (!hit || !project) return { status: 'failed', detail: 'the finding is no longer in the document' };
    try {
      const file = project.addToBaseline(hit.finding);
      refreshAll();
      for (const [u, findings] of scanned) scanned.set(u, findings.filter((f) => f.fingerprint !== fingerprint));
      for (const [u, findings] of scanned) publish(u, findings);
      return { status: 'baselined', detail: file };
    } catch (e) {
      notify(MessageType.Error, `Tokenward: ${(e as Error).message}`);
      return { status: 'failed', detail: (e as Error).message };
    }
  }

  async function runWorkspaceScan(clientProgress: WorkDoneProgressReporter | undefined): Promise<{ files: number; findings: number; problems: string[] }> {
    if (!root || !project) return { files: 0, findings: 0, problems: ['no workspace folder is open'] };
    const progress = clientProgress ?? (canCreateProgress ? await connection.window.createWorkDoneProgress() : undefined);
    progress?.begin('Tokenward: scanning workspace', 0, 'listing files', false);
    const openUris = new Set(documents.all().map((d) => d.uri));
    const previous = new Set(scanned.keys());
    let total = 0;
    const result = await scanWorkspace(root, project, (done, all, file) => {
      progress?.report(all ? Math.floor((done / all) * 100) : 0, `${done}/${all} ${file}`);
    });
    for (const [path, findings] of result.findings) {
      const uri = pathToFileURL(path).href;
      total += findings.length;
      if (openUris.has(uri)) continue;
      scanned.set(uri, findings);
      previous.delete(uri);
      publish(uri, findings);
    }
    // Files that had findings in an earlier scan and have none now.
    for (const uri of previous) {
      if (openUris.has(uri)) continue;
      scanned.delete(uri);
      publish(uri, []);
    }
    for (const doc of documents.all()) total += states.get(doc.uri)?.findings.length ?? 0;
    progress?.done();
    for (const p of result.problems) connection.console.warn(p);
    return { files: result.files, findings: total, problems: result.problems };
  }

  // ---------------------------------------------------------------------------------------------
  // Custom requests

  connection.onRequest(REQUESTS.documentStats, (params: { uri: string }): DocumentStats | null => {
    const s = states.get(params.uri);
    return s ? { uri: params.uri, version: s.version, findings: s.findings.length, suppressed: s.suppressed, analysisMs: s.analysisMs } : null;
  });
  connection.onRequest(REQUESTS.auditLogPath, (): string | null => revocation?.auditLogPath(ctx()) ?? null);

  documents.listen(connection);
  return {
    dispose() {
      for (const s of states.values()) clearTimeout(s.timer);
    },
  };
}

export { MessageType };
