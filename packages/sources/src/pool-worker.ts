import { parentPort, workerData } from 'node:worker_threads';
import { compileRules } from '@tokenward/engine';
import { scanBatch, type PoolWorkerInit, type WireBatch, type WireResult } from './pool.js';

/** A worker thread of the chunk pool: compiles the rules once, then scans batches of chunks
 * (files it reads itself, text that came with the batch). */
const init = workerData as PoolWorkerInit;
const compiled = compileRules(init.defs);

parentPort!.on('message', (batch: WireBatch) => {
  const outcomes = scanBatch(compiled, batch.items, batch.data ? Buffer.from(batch.data) : undefined, init.options);
  parentPort!.postMessage({ id: batch.id, outcomes } satisfies WireResult);
});
