import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type CompiledRules, type Finding, type RuleDefinition } from '@tokenward/engine';
import { scanFile, type FileOutcome, type ListedFile, type ScanFileOptions } from './files.js';

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

export interface FileScanOptions extends ScanFileOptions {
  /** Scanning threads (this one plus threads - 1 workers); 0 or 1 scans in this thread only. Default: by file count and cores. */
  threads?: number;
  /** Called after each file with the running totals (for a progress line). */
  onProgress?: (stats: ScanStats) => void;
}

export interface FileScanResult {
  findings: Finding[];
  stats: ScanStats;
  /** Files that could not be read, and files skipped on purpose, each with the reason. */
  problems: ScanProblem[];
  skippedFiles: ScanProblem[];
}

export function emptyStats(): ScanStats {
  return { files: 0, bytes: 0, binary: 0, skipped: 0, unreadable: 0, findings: 0, durationMs: 0 };
}

/** Below this many files, starting workers costs more than it saves. */
const WORKER_MIN_FILES = 256;
const BATCH = 32;

export function defaultThreads(fileCount: number): number {
  if (fileCount < WORKER_MIN_FILES) return 1;
  return Math.max(1, Math.min(availableParallelism(), 8, Math.ceil(fileCount / WORKER_MIN_FILES)));
}

class Collector {
  readonly findings: Finding[] = [];
  readonly stats = emptyStats();
  readonly problems: ScanProblem[] = [];
  readonly skippedFiles: ScanProblem[] = [];
  constructor(private readonly onProgress?: (s: ScanStats) => void) {}

  add(file: ListedFile, outcome: FileOutcome): void {
    const s = this.stats;
    switch (outcome.kind) {
      case 'scanned':
        s.files++;
        s.bytes += outcome.bytes;
        if (outcome.findings.length) {
          for (const f of outcome.findings) this.findings.push(f);
          s.findings += outcome.findings.length;
        }
        break;
      case 'binary':
        s.binary++;
        break;
      case 'skipped':
        s.skipped++;
        this.skippedFiles.push({ path: file.display, message: outcome.reason });
        break;
      case 'unreadable':
        s.unreadable++;
        this.problems.push({ path: file.display, message: outcome.message });
        break;
    }
    this.onProgress?.(s);
  }
}

/** Scans files, in worker threads when there are enough of them to pay for the start-up. */
export async function scanFiles(defs: readonly RuleDefinition[], compiled: CompiledRules, files: readonly ListedFile[], options: FileScanOptions = {}): Promise<FileScanResult> {
  const started = performance.now();
  const collector = new Collector(options.onProgress);
  const threads = options.threads ?? defaultThreads(files.length);
  if (threads <= 1 || files.length < 2) {
    for (const file of files) collector.add(file, scanFile(compiled, file, options));
  } else {
    await scanInWorkers(defs, compiled, files, threads, options, collector);
  }
  collector.findings.sort(compareFindings);
  collector.stats.durationMs = performance.now() - started;
  return { findings: collector.findings, stats: collector.stats, problems: collector.problems, skippedFiles: collector.skippedFiles };
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.origin.path !== b.origin.path) return a.origin.path < b.origin.path ? -1 : 1;
  return a.byteOffset - b.byteOffset || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

export interface WorkerRequest {
  id: number;
  files: ListedFile[];
}
export interface WorkerResponse {
  id: number;
  results: Array<{ file: ListedFile; outcome: FileOutcome }>;
}
export interface WorkerInit {
  defs: RuleDefinition[];
  options: ScanFileOptions;
}

/**
 * `threads` scanning threads: this one plus `threads - 1` workers, all taking batches from one
 * queue. The main thread would otherwise sit idle while every worker pays its own start-up
 * (module loading, rule compilation, a cold JIT): on two cores one worker less saved a third of
 * the CPU time of a node_modules scan.
 */
async function scanInWorkers(defs: readonly RuleDefinition[], compiled: CompiledRules, files: readonly ListedFile[], threads: number, options: ScanFileOptions, collector: Collector): Promise<void> {
  let next = 0;
  let batchId = 0;
  const init: WorkerInit = { defs: [...defs], options: { maxFileSize: options.maxFileSize } };
  const workers = Array.from({ length: threads - 1 }, () => new Worker(new URL('./worker.js', import.meta.url), { workerData: init }));
  const scanHere = async (): Promise<void> => {
    while (next < files.length) {
      const batch = files.slice(next, next + BATCH);
      next += batch.length;
      for (const file of batch) collector.add(file, scanFile(compiled, file, options));
      // Yield between batches so the workers' results are taken in and they are fed again.
      await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
    }
  };
  try {
    await Promise.all([
      scanHere(),
      ...workers.map(
        (worker) =>
          new Promise<void>((resolveWorker, reject) => {
            let inFlight = 0;
            const feed = () => {
              // Two batches in flight per worker keeps it busy while results travel back.
              while (inFlight < 2 && next < files.length) {
                const batch = files.slice(next, next + BATCH);
                next += batch.length;
                inFlight++;
                worker.postMessage({ id: batchId++, files: batch } satisfies WorkerRequest);
              }
              if (inFlight === 0) resolveWorker();
            };
            worker.on('message', (msg: WorkerResponse) => {
              inFlight--;
              for (const r of msg.results) collector.add(r.file, r.outcome);
              feed();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (inFlight > 0) reject(new Error(`scan worker exited with code ${code}`));
            });
            feed();
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
