/**
 * What the server knows about findings: those of open documents (with their analysis state and
 * what is hidden there, and why), those a workspace scan found in unopened files, and what
 * happened to each secret since (revoked, verified). Features read and update it; only
 * diagnostics publish it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Finding } from '@tokenward/engine';
import type { SuppressedFinding } from '@tokenward/project';
import type { Range } from 'vscode-languageserver';
import { intersects, rangeOf, type FindingState } from './protocol.js';
import type { VerificationResult } from './revocation.js';

export interface DocState {
  version: number;
  findings: Finding[];
  /** Hidden by an inline comment, the allow-list, an ignore file or the baseline, with the reason
   * (what hover explains); `undefined` for a path-ignored document not scanned yet (see `hiddenAt`). */
  suppressed: SuppressedFinding[] | undefined;
  analysisMs: number;
  timer: NodeJS.Timeout | undefined;
}

export interface Revoked {
  at: string;
  detail: string;
}

/**
 * The server's identity of a secret (rule + secret): an HMAC-SHA256 under a key made when the
 * server starts. It keys the server's state and travels in diagnostic `data`, where clients echo
 * it back. It costs a microsecond where the persisted fingerprint costs a scrypt, and it gives
 * nothing back outside this process: the key never leaves it, so a guessed password cannot be
 * checked against it. Fingerprints are computed only where they are written (baseline, audit log).
 */
class SecretKeys {
  private readonly hmacKey = randomBytes(32);
  private readonly byFinding = new WeakMap<Finding, string>();

  of(f: Finding): string {
    let key = this.byFinding.get(f);
    if (key === undefined) {
      key = createHmac('sha256', this.hmacKey).update(f.ruleId).update('\0').update(f.secret).digest('base64url').slice(0, 32);
      this.byFinding.set(f, key);
    }
    return key;
  }
}

export class FindingStore {
  /** Open documents: uri → state. */
  readonly documents = new Map<string, DocState>();
  /** Files filled by a workspace scan (not open): uri → findings, so actions work there too. */
  readonly scanned = new Map<string, Finding[]>();
  /** By secret key: secrets revoked through the server, and providers' answers. */
  readonly revoked = new Map<string, Revoked>();
  readonly verification = new Map<string, VerificationResult>();
  private readonly keys = new SecretKeys();

  /** The secret's key in this server (see `SecretKeys`). */
  keyOf(f: Finding): string {
    return this.keys.of(f);
  }

  documentState(uri: string, version: number): DocState {
    let s = this.documents.get(uri);
    if (!s) {
      s = { version, findings: [], suppressed: [], analysisMs: 0, timer: undefined };
      this.documents.set(uri, s);
    }
    return s;
  }

  closeDocument(uri: string): void {
    clearTimeout(this.documents.get(uri)?.timer);
    this.documents.delete(uri);
  }

  /** Findings known for a uri: its open buffer first, else the last workspace scan. */
  findingsOf(uri: string): Finding[] {
    return this.documents.get(uri)?.findings ?? this.scanned.get(uri) ?? [];
  }

  findingAt(uri: string, range: Range): Finding | undefined {
    return this.findingsOf(uri).find((f) => intersects(rangeOf(f), range));
  }

  /** The hidden finding of an open document at `range`, with why it is hidden. */
  hiddenAt(uri: string, range: Range): SuppressedFinding | undefined {
    return this.documents.get(uri)?.suppressed?.find((s) => intersects(rangeOf(s.finding), range));
  }

  /** A finding by secret key: in `uri` first, else anywhere the server knows of. */
  byKey(uri: string | undefined, key: string): { uri: string; finding: Finding } | undefined {
    if (uri) {
      const f = this.findingsOf(uri).find((x) => this.keyOf(x) === key);
      if (f) return { uri, finding: f };
    }
    for (const [u, findings] of this.all()) {
      const f = findings.find((x) => this.keyOf(x) === key);
      if (f) return { uri: u, finding: f };
    }
    return undefined;
  }

  /** Every uri with its findings: open documents, then scanned files. */
  *all(): Iterable<[string, Finding[]]> {
    for (const [uri, s] of this.documents) yield [uri, s.findings];
    yield* this.scanned;
  }

  stateOf(key: string): FindingState {
    if (this.revoked.has(key)) return 'revoked';
    return this.verification.get(key)?.status ?? 'unchecked';
  }

  dispose(): void {
    for (const s of this.documents.values()) clearTimeout(s.timer);
  }
}
