/**
 * Diagnostics: documents analyzed as they open and change (debounced), findings turned into
 * diagnostics whose `data` carries the finding's state, and republishing when a state changes.
 */
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '@tokenward/engine';
import type { ServerContext } from './context.js';
import type { AnalysisResult } from './project-context.js';
import { rangeOf, SERVER_NAME, type DiagnosticData } from './protocol.js';
import type { DiagnosticSeverityName } from './settings.js';

const SEVERITY: Record<DiagnosticSeverityName, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const uriToPath = (uri: string): string => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

export class Diagnostics {
  constructor(private readonly ctx: ServerContext) {}

  toDiagnostic(f: Finding): Diagnostic {
    const { store, settings, project } = this.ctx;
    const key = store.keyOf(f);
    const state = store.stateOf(key);
    const revoked = state === 'revoked';
    const verified = store.verification.get(key)?.status;
    const data: DiagnosticData = { key, ruleId: f.ruleId, state, ...(verified ? { verified } : {}) };
    const diag: Diagnostic = {
      range: rangeOf(f),
      severity: revoked ? DiagnosticSeverity.Hint : SEVERITY[settings.severity],
      source: SERVER_NAME,
      code: f.ruleId,
      message: revoked
        ? `revoked: ${f.provider} token ${f.redacted} was revoked; remove it from the code`
        : `${f.title}: ${f.redacted}${state === 'active' ? ' (live)' : state === 'inactive' ? ' (inactive)' : ''}`,
      data,
    };
    const rule = project?.rule(f.ruleId);
    if (rule?.rotate?.url) diag.codeDescription = { href: rule.rotate.url };
    // Revoked or verified inactive: shown faded (the token no longer works, the leak still needs cleaning up).
    if (revoked || state === 'inactive') diag.tags = [DiagnosticTag.Unnecessary];
    return diag;
  }

  publish(uri: string, findings: readonly Finding[]): void {
    void this.ctx.connection.sendDiagnostics({ uri, diagnostics: this.ctx.settings.enable ? findings.map((f) => this.toDiagnostic(f)) : [] });
  }

  /** Scans an open document now and publishes what the user should see. */
  analyze(doc: TextDocument): void {
    const { store, settings, project, connection } = this.ctx;
    if (!project) return;
    const state = store.documentState(doc.uri, doc.version);
    clearTimeout(state.timer);
    state.timer = undefined;
    const started = performance.now();
    const fsPath = uriToPath(doc.uri);
    const path = project.displayPath(fsPath);
    let result: AnalysisResult = { findings: [], suppressed: [] };
    // A path-ignored document is scanned only if a hover asks what is hidden in it (see hover.ts).
    const pathIgnored = settings.enable && project.isIgnoredPath(fsPath);
    try {
      if (settings.enable && !pathIgnored) result = project.analyze(doc.getText(), path);
    } catch (e) {
      // One document the engine trips on must not take the server down: report it and go on.
      connection.console.error(`scanning ${path} failed: ${(e as Error).stack ?? String(e)}`);
    }
    const diagnostics = result.findings.map((f) => this.toDiagnostic(f));
    state.analysisMs = performance.now() - started;
    state.version = doc.version;
    state.findings = result.findings;
    state.suppressed = pathIgnored ? undefined : result.suppressed;
    store.scanned.delete(doc.uri);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    if (settings.verify && this.ctx.revocation.canVerify) void this.verify(doc.uri, result.findings);
  }

  private async verify(uri: string, findings: readonly Finding[]): Promise<void> {
    const changed = await this.ctx.revocation.verify(findings, (id) => this.ctx.project?.rule(id));
    const state = this.ctx.store.documents.get(uri);
    if (changed && state) this.publish(uri, state.findings);
  }

  /** Open documents analyzed again, scanned files published again (settings or baseline changed). */
  refreshAll(): void {
    for (const doc of this.ctx.documents.all()) this.analyze(doc);
    for (const [uri, findings] of this.ctx.store.scanned) this.publish(uri, findings);
  }

  /** Every uri holding the secret of `key` published again (its state changed). */
  republish(key: string): void {
    const { store } = this.ctx;
    for (const [uri, findings] of store.all()) if (findings.some((f) => store.keyOf(f) === key)) this.publish(uri, findings);
  }

  /** Analyzes on open, after a quiet time on change; clears on close. */
  listen(): void {
    const { documents, store, connection } = this.ctx;
    documents.onDidOpen((e) => this.analyze(e.document));
    documents.onDidChangeContent((e) => {
      // The first content event of a document is its open: already analyzed right away.
      const state = store.documents.get(e.document.uri);
      if (!state || state.version === e.document.version) return;
      clearTimeout(state.timer);
      state.timer = setTimeout(() => {
        const doc = documents.get(e.document.uri);
        if (doc) this.analyze(doc);
      }, this.ctx.settings.debounceMs);
    });
    documents.onDidClose((e) => {
      store.closeDocument(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
  }
}
