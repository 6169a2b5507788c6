/**
 * What the server knows about findings: those of open documents (with their analysis state), those
 * a workspace scan found in unopened files, and what happened to each secret since (revoked,
 * verified). Features read and update it; only diagnostics publish it.
 */
import type { Finding } from '@tokenward/engine';
import type { Range } from 'vscode-languageserver';
import { intersects, rangeOf, type FindingState } from './protocol.js';
import type { VerificationResult } from './revocation.js';

export interface DocState {
  version: number;
  findings: Finding[];
  suppressed: number;
  analysisMs: number;
  timer: NodeJS.Timeout | undefined;
}

export interface Revoked {
  at: string;
  detail: string;
}

export class FindingStore {
  /** Open documents: uri → state. */
  readonly documents = new Map<string, DocState>();
  /** Files filled by a workspace scan (not open): uri → findings, so actions work there too. */
  readonly scanned = new Map<string, Finding[]>();
  /** By fingerprint: secrets revoked through the server, and providers' answers. */
  readonly revoked = new Map<string, Revoked>();
  readonly verification = new Map<string, VerificationResult>();

  documentState(uri: string, version: number): DocState {
    let s = this.documents.get(uri);
    if (!s) {
      s = { version, findings: [], suppressed: 0, analysisMs: 0, timer: undefined };
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

  /** A finding by fingerprint: in `uri` first, else anywhere the server knows of. */
  byFingerprint(uri: string | undefined, fingerprint: string): { uri: string; finding: Finding } | undefined {
    if (uri) {
      const f = this.findingsOf(uri).find((x) => x.fingerprint === fingerprint);
      if (f) return { uri, finding: f };
    }
    for (const [u, findings] of this.all()) {
      const f = findings.find((x) => x.fingerprint === fingerprint);
      if (f) return { uri: u, finding: f };
    }
    return undefined;
  }

  /** Every uri with its findings: open documents, then scanned files. */
  *all(): Iterable<[string, Finding[]]> {
    for (const [uri, s] of this.documents) yield [uri, s.findings];
    yield* this.scanned;
  }

  stateOf(fingerprint: string): FindingState {
    if (this.revoked.has(fingerprint)) return 'revoked';
    return this.verification.get(fingerprint)?.status ?? 'unchecked';
  }

  dispose(): void {
    for (const s of this.documents.values()) clearTimeout(s.timer);
  }
}
