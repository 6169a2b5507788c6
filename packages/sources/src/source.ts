import type { Finding } from '@tokenward/engine';
import type { ScanStats, SourceResult } from './chunk.js';
import { ChunkPool, type ChunkPoolOptions, type PoolRules } from './pool.js';

/**
 * A source of chunks: files, standard input, git history, staged changes, a pre-push range, and
 * later remote repositories, archives opened as nested chunks, submodules, bare repositories or
 * incremental history. A source sends its chunks to the pool it is given and returns the findings
 * with their final origins; consumers (the CLI, the editor's workspace scan, a worker) only ever
 * call `scan`, so a new source needs no change on their side.
 */
export interface Source {
  scan(pool: ChunkPool, options?: SourceScanOptions): Promise<SourceResult>;
}

export interface SourceScanOptions {
  /** Running totals after each chunk (a progress line); `shown` names the chunk. */
  onProgress?: (stats: ScanStats, shown: string) => void;
  /** Streamed sources (standard input) hand findings over as soon as their line is complete;
   * they are then not in the result (endless input, bounded memory). */
  onFindings?: (findings: Finding[]) => void;
}

/** Scans a source with a pool of its own, closed afterwards. */
export async function scanSource(source: Source, rules: PoolRules, options: ChunkPoolOptions & SourceScanOptions = {}): Promise<SourceResult> {
  const pool = new ChunkPool(rules, options);
  try {
    return await source.scan(pool, options);
  } finally {
    await pool.close();
  }
}
