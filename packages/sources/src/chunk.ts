import type { ChunkPlacement, Finding, Origin } from '@tokenward/engine';

/**
 * What every source produces and the pool consumes. A source knows where bytes come from (a file,
 * a git object, a stream) and nothing about rules; the pool knows how to scan a chunk and nothing
 * about where it came from.
 */

/** Where a chunk came from: what findings carry (path, commit, author, date) plus what only a
 * source knows about it. */
export interface ChunkOrigin extends Origin {
  /** Git object id of the chunk's bytes (history, staged). */
  blob?: string;
}

interface ChunkBase {
  origin: ChunkOrigin;
  /** Where the chunk sits in its whole source (byte, line and column offset), when it is a part
   * of one (a hunk, a member of an archive). Default: it is the whole source. */
  placement?: ChunkPlacement;
}

/** A file on disk: opened and read where it is scanned, so worker threads read in parallel. */
export interface FileChunk extends ChunkBase {
  file: FileRef;
}

export interface FileRef {
  /** Absolute path. */
  abs: string;
  /** Hex of the path's bytes when the name is not valid UTF-8 (`abs` then shows it escaped). */
  raw?: string;
  /** The listing saw a regular file (not a pipe, device or folder): it is read without an fstat. */
  regular?: true;
}

/** Bytes already in memory (a git blob, a commit message, an editor buffer, an archive member). */
export interface BytesChunk extends ChunkBase {
  bytes: Uint8Array;
  /** Known text: no binary or UTF-16 sniffing and no size limit (commit messages). */
  text?: boolean;
}

export type Chunk = FileChunk | BytesChunk;

/** What scanning one chunk gave. Never an exception: an unreadable chunk is an outcome too. */
export type ChunkOutcome =
  | {
      kind: 'scanned';
      bytes: number;
      findings: Finding[];
      /** Archives: members that could not be read or were refused, and members skipped on purpose;
       * each path is what follows the chunk's own (`!lib/a.jar!b.txt`). */
      problems?: ScanProblem[];
      skipped?: ScanProblem[];
    }
  | { kind: 'binary'; bytes: number }
  | { kind: 'skipped'; bytes: number; reason: string }
  | { kind: 'unreadable'; message: string };

export interface ScanStats {
  files: number;
  bytes: number;
  binary: number;
  skipped: number;
  unreadable: number;
  findings: number;
  durationMs: number;
  /** Commits walked (history, pre-push scans). */
  commits?: number;
}

export interface ScanProblem {
  path: string;
  message: string;
}

export function emptyStats(): ScanStats {
  return { files: 0, bytes: 0, binary: 0, skipped: 0, unreadable: 0, findings: 0, durationMs: 0 };
}

/** What a source hands back once it is done: findings with their final origins, the counts, what
 * could not be read (an error) and what was left out on purpose (a note). */
export interface SourceResult {
  findings: Finding[];
  stats: ScanStats;
  problems: ScanProblem[];
  skippedFiles: ScanProblem[];
}

/** Adds up chunk outcomes into a SourceResult (findings, counts, problems). */
/** Milliseconds on a monotonic clock. (`performance.now()` would load perf_hooks on first use:
 * ~5 ms of a pre-commit run's start-up on the 2-core machine.) */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class Tally implements SourceResult {
  readonly findings: Finding[] = [];
  readonly stats: ScanStats;
  readonly problems: ScanProblem[] = [];
  readonly skippedFiles: ScanProblem[] = [];
  private readonly started = monotonicMs();

  constructor(
    private readonly onProgress?: (stats: ScanStats, shown: string) => void,
    stats: ScanStats = emptyStats(),
  ) {
    this.stats = stats;
  }

  /** Counts one outcome; `shown` names the chunk in problem lists. Findings are kept unless
   * `keep` is false (a source that places them itself, git history). */
  add(shown: string, outcome: ChunkOutcome, keep = true): void {
    const s = this.stats;
    switch (outcome.kind) {
      case 'scanned':
        s.files++;
        s.bytes += outcome.bytes;
        s.findings += outcome.findings.length;
        if (keep) for (const f of outcome.findings) this.findings.push(f);
        for (const p of outcome.problems ?? []) {
          s.unreadable++;
          this.problems.push({ path: shown + p.path, message: p.message });
        }
        for (const p of outcome.skipped ?? []) {
          s.skipped++;
          this.skippedFiles.push({ path: shown + p.path, message: p.message });
        }
        break;
      case 'binary':
        s.binary++;
        break;
      case 'skipped':
        s.skipped++;
        this.skippedFiles.push({ path: shown, message: outcome.reason });
        break;
      case 'unreadable':
        s.unreadable++;
        this.problems.push({ path: shown, message: outcome.message });
        break;
    }
    this.onProgress?.(s, shown);
  }

  /** The result, with the time since the tally started. */
  finish(): SourceResult {
    this.stats.durationMs = monotonicMs() - this.started;
    return { findings: this.findings, stats: this.stats, problems: this.problems, skippedFiles: this.skippedFiles };
  }
}
