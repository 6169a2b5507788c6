import { parentPort, workerData } from 'node:worker_threads';
import { compileRules } from '@tokenward/engine';
import type { WorkerInit, WorkerRequest, WorkerResponse } from './scanner.js';
import { scanFile } from './files.js';

const init = workerData as WorkerInit;
const compiled = compileRules(init.defs);

parentPort!.on('message', (req: WorkerRequest) => {
  const results = req.files.map((file) => ({ file, outcome: scanFile(compiled, file, init.options) }));
  parentPort!.postMessage({ id: req.id, results } satisfies WorkerResponse);
});
