/**
 * The audit log: one JSON line per action. Fingerprints and redacted values only; a line that
 * would contain a secret is refused (a bug must not leak a token into a CI artifact).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VerifyStatus } from './verify.js';

export type AuditOutcome = 'attempt' | 'revoked' | 'revoke-unconfirmed' | 'failed' | 'not-attempted' | 'manual-steps-shown' | 'planned' | VerifyStatus;

export interface AuditEntry {
  time: string;
  action: 'revoke' | 'verify';
  rule: string;
  provider: string;
  fingerprint: string;
  redacted: string;
  /** Host the request went to (or would go to). */
  endpoint?: string;
  /** Why the endpoint is not the rule's host (endpoint override and its source). */
  override?: string;
  outcome: AuditOutcome;
  /** Provider's HTTP status, when there was an answer. */
  status?: number;
  error?: string;
  /** Read-only check after a revocation. */
  verify?: VerifyStatus;
  /** First place the secret was found (path[:commit]:line), the secret redacted where a path holds it. */
  location?: string;
  occurrences?: number;
}

export class AuditLeakError extends Error {
  override name = 'AuditLeakError';
}

/** The audit log could not be opened or written: nothing more may be revoked without a record. */
export class AuditWriteError extends Error {
  override name = 'AuditWriteError';
}

export interface AuditLog {
  readonly path: string;
  /** Opens the log for appending (folder created): throws `AuditWriteError` when that is impossible. */
  check(): void;
  /** Appends one fsynced line; `secrets` are checked to be absent from it. */
  write(entry: AuditEntry, secrets?: readonly string[]): void;
}

function appendLine(path: string, line: string | undefined): void {
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'a', 0o600);
    // fsynced, so a line written before a provider call survives a crash during it.
    if (line !== undefined) {
      writeSync(fd, line);
      fsyncSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new AuditWriteError(`cannot write the audit log ${path}: ${code}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Appends to `path` (created with its folder). Each line is written and synced at once, so a crash keeps earlier ones. */
export function createAuditLog(path: string): AuditLog {
  return {
    path,
    check() {
      appendLine(path, undefined);
    },
    write(entry, secrets = []) {
      const line = JSON.stringify(entry);
      for (const s of secrets) {
        if (s && line.includes(s)) throw new AuditLeakError(`refused to write an audit line containing a secret (rule ${entry.rule})`);
      }
      appendLine(path, `${line}\n`);
    },
  };
}
