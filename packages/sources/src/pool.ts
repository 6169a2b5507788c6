import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { StreamScanner, withLazyFingerprint, type ChunkPlacement, type CompiledRules, type Finding, type RuleDefinition } from '@tokenward/engine';
import type { Chunk, ChunkOrigin, ChunkOutcome, FileRef } from './chunk.js';
import { admitBytes, scanAdmitted, scanChunk, scanContent, type ScanChunkOptions } from './scan-chunk.js';
import { utf16Of, utf16Pieces } from './sniff.js';

/** The rules a pool scans with: definitions (workers compile their own copy) and this thread's
 * compiled set. */
export interface PoolRules {
  defs: readonly RuleDefinition[];
  compiled: CompiledRules;
}

export interface ChunkPoolOptions extends ScanChunkOptions {
  /** Threads that scan (`--threads`); 1 = this thread only. Default: by the source's plan and the
   * cores. */
  threads?: number;
}

/** What a source tells the pool before it sends chunks, so the pool can pick its threads. */
export interface PoolPlan {
  /** The number of chunks, when the source knows it up front (a file list). This thread then
   * scans beside the workers while it waits in `drain()`. */
  chunks?: number;
  /** This thread keeps producing while chunks are scanned (git history): scanning goes to
   * workers, started once a few megabytes showed they pay for their start-up. */
  streaming?: boolean;
}

/**
 * Files each scanning thread should have before another one is started. A worker's start-up
 * (modules, rules, and the JavaScript parsers and BPE vocabulary once a file needs them) costs as
 * much as scanning thousands of files. Measured on 2 cores: prettier (9.3k files) took 1.09 s
 * wall, 1.37 s CPU in one thread against 1.23 s, 1.77 s with a worker; this project's
 * node_modules (21k files) took the same wall time either way, more CPU with the worker.
 */
const WORKER_MIN_CHUNKS = 10_000;
/** A streaming source's workers start once this much has been scanned in this thread: small
 * scans (a pre-push) never pay for them. */
const WORKER_START_BYTES = 4 << 20;
/** A batch is full at this many bytes of in-memory chunks (sent as one transfer) … */
const BATCH_BYTES = 1 << 20;
/** … or this many in-memory chunks … */
const BATCH_CHUNKS = 256;
/** … or this many files (their size is unknown until they are read). */
const BATCH_FILES = 32;
/** This thread, scanning beside the workers, lets their results in at least this often. */
const YIELD_MS = 4;
/** Batches in flight per worker: enough to keep it busy while results travel back (a batch of
 * small files takes a few milliseconds). */
const IN_FLIGHT_PER_WORKER = 4;
/** Above this many bytes queued or in workers, the producer is asked to pause. */
const MAX_QUEUED_BYTES = 64 << 20;

/** Threads for a source of `chunks` chunks: by count and cores. */
export function defaultThreads(chunks: number): number {
  return Math.max(1, Math.min(availableParallelism(), 8, Math.floor(chunks / WORKER_MIN_CHUNKS)));
}

/**
 * Workers for a streaming source: one core is left to the producer (git log and cat-file for a
 * history). Each scanning thread also loads its own parsers and BPE vocabulary when a file needs
 * them (TypeScript's parser only for TypeScript files). Measured on 2 cores, prettier's 11.8k-commit history: this thread alone took
 * 17–21 s wall, 20 s CPU, 219 MB; two workers beside it 24–25 s wall, 29 s CPU, 435 MB.
 */
export function defaultStreamingWorkers(): number {
  return Math.max(1, Math.min(availableParallelism() - 1, 8));
}

type Done = (outcome: ChunkOutcome) => void;

/** A chunk as it travels to a worker: in-memory chunks are admitted text in the batch's buffer. */
export interface WireChunk {
  origin: ChunkOrigin;
  placement?: ChunkPlacement;
  file?: FileRef;
  /** In-memory chunks: where their text is in the batch's `data`, and their size as stored. */
  start?: number;
  end?: number;
  size?: number;
  /** The bytes are content to open (an archive, a key store), not admitted text. */
  open?: true;
}

export interface WireBatch {
  id: number;
  items: WireChunk[];
  /** The batch's in-memory bytes, one after another (transferred, not copied). */
  data?: ArrayBuffer;
}

export interface WireResult {
  id: number;
  outcomes: ChunkOutcome[];
}

export interface PoolWorkerInit {
  defs: RuleDefinition[];
  options: ScanChunkOptions;
}

/** Scans a batch's chunks (in a worker, or here when this thread takes the batch). */
export function scanBatch(compiled: CompiledRules, items: readonly WireChunk[], data: Buffer | undefined, options: ScanChunkOptions): ChunkOutcome[] {
  return items.map((item) =>
    item.file
      ? scanChunk(compiled, { origin: item.origin, placement: item.placement, file: item.file }, options)
      : item.open
        ? scanContent(compiled, data!.subarray(item.start, item.end), item.origin, item.placement, options)
        : scanAdmitted(compiled, data!.subarray(item.start, item.end), item.origin, item.placement, item.size!),
  );
}

interface Batch {
  items: WireChunk[];
  parts: Uint8Array[];
  done: Done[];
  bytes: number;
  files: number;
  data?: Uint8Array;
}

const emptyBatch = (): Batch => ({ items: [], parts: [], done: [], bytes: 0, files: 0 });

interface Slot {
  worker: Worker;
  inFlight: Map<number, Batch>;
}

/**
 * Scans chunks from any source, in this thread or across worker threads. Every chunk's outcome is
 * handed to the callback given with it, in this thread. `drain()` waits for everything sent so far
 * (and lends this thread to the work meanwhile); `close()` stops the workers.
 */
export class ChunkPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Batch[] = [];
  private current = emptyBatch();
  private nextId = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];
  private busy = false;
  private readonly busyListeners: Array<(busy: boolean) => void> = [];
  /** Workers a streaming source will get once WORKER_START_BYTES were scanned here. */
  private lazyWorkers = 0;
  private inThreadBytes = 0;
  /** Chunks wait for `drain()` (which yields between batches) instead of being scanned at once. */
  private deferred = false;

  constructor(
    private readonly rules: PoolRules,
    private readonly options: ChunkPoolOptions = {},
  ) {}

  get compiled(): CompiledRules {
    return this.rules.compiled;
  }

  /** Worker threads running now. */
  get workers(): number {
    return this.slots.length;
  }

  plan(plan: PoolPlan): void {
    const threads = this.options.threads;
    if (plan.chunks !== undefined) {
      this.deferred = true;
      const total = threads ?? defaultThreads(plan.chunks);
      if (total > 1 && plan.chunks > 1) this.startWorkers(total - 1);
    } else if (plan.streaming) {
      const wanted = threads ?? defaultStreamingWorkers();
      if (wanted > 1) this.lazyWorkers = wanted;
    }
  }

  /** Listens for back-pressure: true when workers fall behind (pause the producer), false when
   * they caught up. */
  onBusy(listener: (busy: boolean) => void): void {
    this.busyListeners.push(listener);
  }

  /** Scans a chunk: at once in this thread, or later in a batch; `done` gets the outcome. */
  scan(chunk: Chunk, done: Done): void {
    if ('file' in chunk) return this.add({ origin: chunk.origin, placement: chunk.placement, file: chunk.file }, undefined, done);
    // Too large or binary is known here, before anything is copied or sent.
    const admitted = admitBytes(chunk, this.options);
    if (!Buffer.isBuffer(admitted) && admitted.kind !== 'open') return done(admitted);
    const open = !Buffer.isBuffer(admitted);
    const text = open ? admitted.bytes : admitted;
    if (this.slots.length === 0 && this.lazyWorkers > 0 && this.inThreadBytes > WORKER_START_BYTES) {
      this.startWorkers(this.lazyWorkers);
      this.lazyWorkers = 0;
    }
    if (this.slots.length === 0 && !this.deferred) {
      this.inThreadBytes += text.length;
      return done(open ? scanContent(this.rules.compiled, text, chunk.origin, chunk.placement, this.options) : scanAdmitted(this.rules.compiled, text, chunk.origin, chunk.placement, chunk.bytes.length));
    }
    this.add({ origin: chunk.origin, placement: chunk.placement, size: chunk.bytes.length, ...(open ? { open: true as const } : {}) }, text, done);
  }

  private add(item: WireChunk, text: Buffer | undefined, done: Done): void {
    const b = this.current;
    b.done.push(done);
    b.items.push(item);
    if (text) {
      item.start = b.bytes;
      b.parts.push(text);
      b.bytes += text.length;
      item.end = b.bytes;
    } else b.files++;
    if (b.bytes >= BATCH_BYTES || b.items.length - b.files >= BATCH_CHUNKS || b.files >= BATCH_FILES) this.flush();
  }

  /** Scans a chunk in this thread, now (small chunks whose order matters to the producer). */
  scanHere(chunk: Chunk): ChunkOutcome {
    return scanChunk(this.rules.compiled, chunk, this.options);
  }

  /**
   * Scans one ordered stream (standard input, a live log) in this thread, with bounded memory: the
   * engine's stream scanner keeps an overlap between pieces, so a secret across two reads is found,
   * and hands over each finding once its line is complete. A quiet input is flushed after
   * `idleMs`, so a live log is reported without waiting for more. Resolves with the bytes read.
   */
  async scanStream(origin: ChunkOrigin, input: NodeJS.ReadableStream, onFindings: (findings: Finding[]) => void, options: { idleMs?: number } = {}): Promise<number> {
    const scanner = new StreamScanner(this.rules.compiled, origin, onFindings);
    // UTF-16 (PowerShell pipes it) is known by its first piece and transcoded as it comes.
    let utf16: ReturnType<typeof utf16Pieces> | null | undefined;
    await new Promise<void>((resolveDone, reject) => {
      let idle: NodeJS.Timeout | undefined;
      input.on('data', (piece: Buffer | string) => {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        if (utf16 === undefined) {
          const encoding = utf16Of(bytes);
          utf16 = encoding ? utf16Pieces(encoding) : null;
        }
        scanner.push(utf16 ? utf16.push(bytes) : bytes);
        if (options.idleMs === undefined) return;
        clearTimeout(idle);
        idle = setTimeout(() => scanner.flush(), options.idleMs);
      });
      input.once('end', () => {
        clearTimeout(idle);
        if (utf16) scanner.push(utf16.end());
        scanner.end();
        resolveDone();
      });
      input.once('error', reject);
    });
    return scanner.bytesSeen;
  }

  /** Waits until every chunk passed to `scan` has its outcome; this thread scans queued batches
   * meanwhile, yielding every few milliseconds so worker results (and an editor's requests) get
   * in: a worker whose batches are done gets the next ones then, not after this thread's whole
   * batch (on node_modules a worker waited ~25 % of its time for that). */
  async drain(): Promise<void> {
    this.flush();
    let turn = performance.now();
    while (!this.failure && (this.queue.length > 0 || this.inFlight > 0)) {
      const batch = this.queue.shift();
      if (batch) {
        this.queuedBytes -= batch.bytes;
        const data = batch.data ? Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength) : undefined;
        for (let i = 0; i < batch.items.length; i++) {
          batch.done[i]!(scanBatch(this.rules.compiled, [batch.items[i]!], data, this.options)[0]!);
          if (performance.now() - turn < YIELD_MS) continue;
          await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
          turn = performance.now();
        }
        this.checkBusy();
      } else {
        await new Promise<void>((resolveWait) => this.waiters.push(resolveWait));
      }
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private startWorkers(count: number): void {
    const { maxFileSize, archiveLimits } = this.options;
    const init: PoolWorkerInit = { defs: [...this.rules.defs], options: { ...(maxFileSize !== undefined ? { maxFileSize } : {}), ...(archiveLimits ? { archiveLimits } : {}) } };
    for (let i = 0; i < count; i++) {
      const slot: Slot = { worker: new Worker(new URL('./pool-worker.js', import.meta.url), { workerData: init }), inFlight: new Map() };
      slot.worker.on('message', (msg: WireResult) => this.finished(slot, msg));
      slot.worker.once('error', (e) => this.fail(e));
      slot.worker.once('exit', (code) => {
        if (slot.inFlight.size > 0) this.fail(new Error(`scan worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  private flush(): void {
    const b = this.current;
    if (b.items.length === 0) return;
    this.current = emptyBatch();
    if (b.parts.length) {
      // One buffer per batch, transferred to the worker: the producer's buffers are released now.
      const data = new Uint8Array(b.bytes);
      let pos = 0;
      for (const part of b.parts) {
        data.set(part, pos);
        pos += part.length;
      }
      b.data = data;
      b.parts = [];
    }
    this.queue.push(b);
    this.queuedBytes += b.bytes;
    this.dispatch();
    this.checkBusy();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      while (slot.inFlight.size < IN_FLIGHT_PER_WORKER && this.queue.length > 0) {
        const b = this.queue.shift()!;
        const id = this.nextId++;
        slot.inFlight.set(id, b);
        this.inFlight++;
        const message: WireBatch = b.data ? { id, items: b.items, data: b.data.buffer as ArrayBuffer } : { id, items: b.items };
        slot.worker.postMessage(message, b.data ? [b.data.buffer as ArrayBuffer] : []);
        b.data = undefined;
      }
    }
  }

  private finished(slot: Slot, msg: WireResult): void {
    const b = slot.inFlight.get(msg.id)!;
    slot.inFlight.delete(msg.id);
    this.inFlight--;
    this.queuedBytes -= b.bytes;
    for (let i = 0; i < b.done.length; i++) {
      const outcome = msg.outcomes[i]!;
      if (outcome.kind === 'scanned') for (const f of outcome.findings) withLazyFingerprint(f);
      b.done[i]!(outcome);
    }
    this.dispatch();
    this.checkBusy();
    this.wake();
  }

  private checkBusy(): void {
    const busy = this.busy ? this.queuedBytes >= MAX_QUEUED_BYTES / 2 : this.queuedBytes > MAX_QUEUED_BYTES;
    if (busy === this.busy) return;
    this.busy = busy;
    for (const l of this.busyListeners) l(busy);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
