import { parentPort, workerData } from 'node:worker_threads';
import { compileRules, scanBytes } from '@tokenward/engine';
import type { BlobBatch, BlobBatchResult, BlobWorkerInit } from './git-pool.js';

/** Worker thread of the history scan: compiles the rules once, then scans batches of blobs. */
const compiled = compileRules((workerData as BlobWorkerInit).defs);
const origin = { path: '', kind: 'git-blob' };

parentPort!.on('message', (job: BlobBatch) => {
  const bytes = Buffer.from(job.data);
  const findings = job.ends.map((end, i) => scanBytes(compiled, bytes.subarray(i === 0 ? 0 : job.ends[i - 1], end), origin));
  parentPort!.postMessage({ id: job.id, findings } satisfies BlobBatchResult);
});
