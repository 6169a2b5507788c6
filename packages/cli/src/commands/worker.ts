import { join } from 'node:path';
import { startQueueWorker } from '@tokenward/org/queue';
import { parseCommandArgs, type Command } from '../cli-util.js';
import { EXIT_CLEAN, UsageError } from '../errors.js';
import { describeOutcome } from './org.js';
import { orgCacheDir, QUEUE_HELP, QUEUE_OPTIONS, queueTarget, repositoryScanner, SCAN_HELP, SCAN_OPTIONS, wholeNumber } from './org-common.js';

const HELP = `Usage: tokenward worker --queue redis://HOST:PORT [options]

Takes repository jobs from the queue ('tokenward org enqueue') and scans them: mirror-clone or
fetch into the cache, scan only commits no worker scanned before, store redacted findings in
Redis. Run any number of workers on any number of machines. A worker that dies mid-job loses
nothing: its job is retried by another worker once its lock expires, and the findings are stored
once. SIGTERM or Ctrl-C finishes the jobs in hand, then exits.

${QUEUE_HELP}

Worker:
      --concurrency N       repositories at a time (default 2)
      --lock-duration MS    job lock (default 30000): a dead worker's job is retried after it
      --exit-when-drained   exit once nothing is queued, retrying or active (batch runs)

${SCAN_HELP}`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'scan repositories from the Redis queue (org enqueue); run one or more per machine',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('worker', argv, {
      ...QUEUE_OPTIONS,
      ...SCAN_OPTIONS,
      concurrency: { type: 'string' },
      'lock-duration': { type: 'string' },
      'exit-when-drained': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    });
    if (values.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT_CLEAN;
    }
    if (positionals.length) throw new UsageError(`worker: unexpected argument "${positionals[0]}"`);
    const target = queueTarget('worker', values, io);
    const concurrency = wholeNumber('worker', '--concurrency', values.concurrency, 1, 2);
    const lockDurationMs = wholeNumber('worker', '--lock-duration', values['lock-duration'], 1000, 30_000);
    const { scanner } = repositoryScanner('worker', values, io);
    const say = (line: string) => io.stderr.write(`tokenward worker[${process.pid}]: ${line}\n`);
    const worker = startQueueWorker(
      target,
      { mirrorDir: join(orgCacheDir(values, io), 'mirrors'), scanner, env: io.env },
      {
        concurrency,
        lockDurationMs,
        onEvent(e) {
          if (e.type === 'start') say(`start ${e.repository} (job ${e.job}, attempt ${e.attempt})`);
          else if (e.type === 'done') say(`done ${e.repository}: ${describeOutcome(e.outcome)} (job ${e.job}, ${(e.ms / 1000).toFixed(1)} s)`);
          else say(`${e.final ? 'failed' : 'will retry'} ${e.repository}: ${e.error} (job ${e.job})`);
        },
      },
    );
    say(`waiting for jobs on ${target.name} (concurrency ${concurrency})`);
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      if (values['exit-when-drained']) void worker.drained().then(stop);
    });
    await worker.close();
    say('stopped');
    return EXIT_CLEAN;
  },
};
