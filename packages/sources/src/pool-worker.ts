import { parentPort, workerData } from 'node:worker_threads';
import { compileRules } from '@tokenward/engine';
import { scanBatch, type PoolWorkerInit, type WireBatch, type WireResult } from './pool.js';

/** A worker thread of the chunk pool: compiles the rules once, then scans batches of chunks
 * (files it reads itself, text that came with the batch). */
const init = workerData as PoolWorkerInit;
const compiled = compileRules(init.defs);

parentPort!.on('message', (batch: WireBatch) => {
  const outcomes = scanBatch(compiled, batch.items, batch.data ? Buffer.from(batch.data) : undefined, init.options);
  // A finding's fingerprint (scrypt) is computed when first read, and posting a message reads
  // every property: it is dropped here and made lazy again on the other side (pool.ts), so only
  // reported findings pay for it.
  for (const o of outcomes) if (o.kind === 'scanned') for (const f of o.findings) delete (f as { fingerprint?: string }).fingerprint;
  parentPort!.postMessage({ id: batch.id, outcomes } satisfies WireResult);
});
