import type { VerificationStatus } from './revocation.js';
/**
 * What clients and tests may rely on: command ids, custom requests and the `data` every
 * diagnostic carries. Nothing here is parsed out of message text.
 */
import type { Finding } from '@tokenward/engine';
import type { Range } from 'vscode-languageserver';

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
  /** → { uri, version, findings, suppressed, analysisMs } for an open document (`suppressed`: how many are hidden). */
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

/** Where a finding stands: revoked through Tokenward, or what the provider said when asked
 * (`unchecked`: not asked, verification is off or the rule cannot be verified). */
export type FindingState = 'revoked' | 'active' | 'inactive' | 'unknown' | 'unchecked';

/** The diagnostic `data` a client echoes back in code-action requests and reads the finding's
 * state from. Never the secret. */
export interface DiagnosticData {
  /** The secret's identity in this server process (an HMAC under a key made at server start): it
   * names the secret to the server's commands and means nothing outside the process. It is not the
   * fingerprint of baselines and reports (a slow hash, computed only where one is written). */
  key: string;
  ruleId: string;
  state: FindingState;
  /** With verification on: the provider's answer (`active`, `inactive`, `unknown`). */
  verified?: VerificationStatus;
}

/** A command's answer to the client. */
export interface CommandResult {
  status: string;
  detail: string;
}

export const rangeOf = (f: Finding): Range => ({
  start: { line: f.start.line - 1, character: f.start.column - 1 },
  end: { line: f.end.line - 1, character: f.end.column - 1 },
});

const before = (a: { line: number; character: number }, b: { line: number; character: number }): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);
export const intersects = (a: Range, b: Range): boolean => !before(a.end, b.start) && !before(b.end, a.start);
