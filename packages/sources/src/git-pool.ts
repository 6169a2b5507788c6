import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { scanBytes, type CompiledRules, type Finding, type RuleDefinition } from '@tokenward/engine';

/** Blobs are sent to workers in batches of about this many bytes (one transfer each). */
const BATCH_BYTES = 1 << 20;
const BATCH_BLOBS = 256;
/** Above this many bytes waiting in workers, the producer is asked to pause. */
const MAX_IN_FLIGHT_BYTES = 64 << 20;
/** Workers start once this much has been scanned in this thread. */
const WORKER_START_BYTES = 4 << 20;

export interface BlobBatch {
  id: number;
  shas: string[];
  /** End offset of each blob in `data`. */
  ends: number[];
  data: ArrayBuffer;
}
export interface BlobBatchResult {
  id: number;
  findings: Finding[][];
}
export interface BlobWorkerInit {
  defs: RuleDefinition[];
}

/** Worker threads for history scans (1 = scan in this thread). Git runs beside them, but
 * measured on 2 cores, two workers still beat one thread: the scan waits less on git. */
export function defaultHistoryThreads(): number {
  return Math.min(availableParallelism(), 8);
}

const BLOB_ORIGIN = { path: '', kind: 'git-blob' } as const;

/**
 * Scans blobs, in this thread or across worker threads. Each blob's findings (possibly none) are
 * reported through `onResult`; `drain()` waits for everything sent so far.
 */
export class BlobScanPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private batch: { shas: string[]; parts: Buffer[]; bytes: number } = { shas: [], parts: [], bytes: 0 };
  private readonly queue: BlobBatch[] = [];
  private inFlight = 0;
  private inFlightBytes = 0;
  private nextId = 0;
  private failure: Error | undefined;
  private drainWaiters: Array<() => void> = [];
  private busy = false;
  /** What each worker is scanning now. */
  private readonly running = new Map<Worker, { shas: string[]; bytes: number }>();

  constructor(
    defs: readonly RuleDefinition[],
    private readonly compiled: CompiledRules,
    threads: number | undefined,
    private readonly onResult: (sha: string, findings: Finding[]) => void,
    /** Called with true when workers fall behind (pause the producer), false when they catch up. */
    private readonly onBusy?: (busy: boolean) => void,
  ) {
    this.wanted = threads ?? defaultHistoryThreads();
    this.defs = defs;
  }

  private readonly wanted: number;
  private readonly defs: readonly RuleDefinition[];
  /** Bytes scanned in this thread before workers start: small scans (a pre-push) never pay for them. */
  private inThreadBytes = 0;

  private startWorkers(): void {
    const init: BlobWorkerInit = { defs: [...this.defs] };
    for (let i = 0; i < this.wanted; i++) {
      const w = new Worker(new URL('./git-worker.js', import.meta.url), { workerData: init });
      w.on('message', (msg: BlobBatchResult) => this.finished(w, msg));
      w.once('error', (e) => this.fail(e));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get threaded(): boolean {
    return this.workers.length > 0;
  }

  scan(sha: string, bytes: Buffer): void {
    if (!this.threaded) {
      if (this.wanted > 1 && this.inThreadBytes > WORKER_START_BYTES) this.startWorkers();
      else {
        this.inThreadBytes += bytes.length;
        this.onResult(sha, scanBytes(this.compiled, bytes, BLOB_ORIGIN));
        return;
      }
    }
    const b = this.batch;
    b.shas.push(sha);
    b.parts.push(bytes);
    b.bytes += bytes.length;
    if (b.bytes >= BATCH_BYTES || b.shas.length >= BATCH_BLOBS) this.flushBatch();
  }

  private flushBatch(): void {
    const b = this.batch;
    if (b.shas.length === 0) return;
    this.batch = { shas: [], parts: [], bytes: 0 };
    const data = new Uint8Array(b.bytes);
    const ends: number[] = [];
    let pos = 0;
    for (const part of b.parts) {
      data.set(part, pos);
      pos += part.length;
      ends.push(pos);
    }
    this.queue.push({ id: this.nextId++, shas: b.shas, ends, data: data.buffer });
    this.inFlightBytes += b.bytes;
    this.dispatch();
    if (!this.busy && this.inFlightBytes > MAX_IN_FLIGHT_BYTES) {
      this.busy = true;
      this.onBusy?.(true);
    }
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.inFlight++;
      this.running.set(w, { shas: job.shas, bytes: job.data.byteLength });
      w.postMessage(job, [job.data]);
    }
  }

  private finished(w: Worker, msg: BlobBatchResult): void {
    const job = this.running.get(w)!;
    this.running.delete(w);
    this.inFlight--;
    this.inFlightBytes -= job.bytes;
    for (let i = 0; i < job.shas.length; i++) this.onResult(job.shas[i]!, msg.findings[i] ?? []);
    this.idle.push(w);
    this.dispatch();
    if (this.busy && this.inFlightBytes < MAX_IN_FLIGHT_BYTES / 2) {
      this.busy = false;
      this.onBusy?.(false);
    }
    this.checkDrained();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private checkDrained(): void {
    if (this.inFlight === 0 && this.queue.length === 0) for (const w of this.drainWaiters.splice(0)) w();
  }

  /** Waits until every blob passed to `scan` has been reported. */
  async drain(): Promise<void> {
    if (this.threaded) {
      this.flushBatch();
      if (this.inFlight > 0 || this.queue.length > 0) await new Promise<void>((r) => this.drainWaiters.push(r));
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
