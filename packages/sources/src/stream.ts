import type { Finding } from '@tokenward/engine';
import { emptyStats, monotonicMs, type ChunkOrigin, type SourceResult } from './chunk.js';
import type { ChunkPool } from './pool.js';
import type { Source, SourceScanOptions } from './source.js';

/** Quiet time after which a live log (tail -f) is scanned without waiting for more. */
const IDLE_MS = 50;

/**
 * One ordered byte stream as a source: standard input, a piped or live log. It is scanned in this
 * thread as it arrives (order matters and the pieces overlap); findings are handed to
 * `onFindings` as soon as their line is complete, else returned at the end.
 */
export class StreamSource implements Source {
  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly origin: ChunkOrigin = { path: '<stdin>', kind: 'stdin' },
  ) {}

  async scan(pool: ChunkPool, options: SourceScanOptions = {}): Promise<SourceResult> {
    const started = monotonicMs();
    const stats = emptyStats();
    const kept: Finding[] = [];
    const bytes = await pool.scanStream(
      this.origin,
      this.input,
      (found) => {
        stats.findings += found.length;
        if (options.onFindings) options.onFindings(found);
        else kept.push(...found);
      },
      { idleMs: IDLE_MS },
    );
    stats.files = 1;
    stats.bytes = bytes;
    stats.durationMs = monotonicMs() - started;
    return { findings: kept, stats, problems: [], skippedFiles: [] };
  }
}
