/**
 * The audit log: one JSON line per action. Fingerprints and redacted values only; a line that
 * would contain a secret is refused (a bug must not leak a token into a CI artifact).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VerifyStatus } from './verify.js';

export type AuditOutcome = 'attempt' | 'revoked' | 'failed' | 'manual-steps-shown' | 'planned' | VerifyStatus;

export interface AuditEntry {
  time: string;
  action: 'revoke' | 'verify';
  rule: string;
  provider: string;
  fingerprint: string;
  redacted: string;
  /** Host the request went to (or would go to). */
  endpoint?: string;
  outcome: AuditOutcome;
  /** Provider's HTTP status, when there was an answer. */
  status?: number;
  error?: string;
  /** Read-only check after a revocation. */
  verify?: VerifyStatus;
  /** First place the secret was found (path[:commit]:line). */
  location?: string;
  occurrences?: number;
}

export class AuditLeakError extends Error {
  override name = 'AuditLeakError';
}

export interface AuditLog {
  readonly path: string;
  /** Appends one line; `secrets` are checked to be absent from it. */
  write(entry: AuditEntry, secrets?: readonly string[]): void;
}

/** Appends to `path` (created with its folder). Each line is written at once, so a crash keeps earlier ones. */
export function createAuditLog(path: string): AuditLog {
  let ready = false;
  return {
    path,
    write(entry, secrets = []) {
      const line = JSON.stringify(entry);
      for (const s of secrets) {
        if (s && line.includes(s)) throw new AuditLeakError(`refused to write an audit line containing a secret (rule ${entry.rule})`);
      }
      if (!ready) {
        mkdirSync(dirname(path), { recursive: true });
        ready = true;
      }
      // fsynced, so a line written before a provider call survives a crash during it.
      const fd = openSync(path, 'a', 0o600);
      try {
        writeSync(fd, `${line}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}
