/**
 * A job BullMQ fails by itself (stalled more often than allowed: a repository that keeps killing
 * its worker) never reaches the worker's failure record; the report still lists it as failed.
 */
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testTree } from '../helpers/cli.js';
import { startRedis } from './redis.js';
import { tokenward, waitFor } from './run.js';

describe('org report and BullMQ-only failures', () => {
  it('lists a job failed outside the worker (stall limit) as a failed repository with its reason', async () => {
    const redis = await startRedis();
    onTestFinished(() => redis.stop());
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const queue = new Queue('tokenward-org', { connection });
    onTestFinished(() => queue.close());
    await queue.add('scan-repository', { url: 'https://git.example/acme/huge.git', name: 'acme/huge', source: 'list' }, { jobId: 'huge-1' });
    // Stands in for BullMQ's own stalled-job check, which fails a job without running any processor.
    const bare = new Worker('tokenward-org', async () => {
      throw new UnrecoverableError('job stalled more than allowable limit');
    }, { connection });
    onTestFinished(() => bare.close());
    await waitFor('the job to fail', async () => ((await queue.getJobCounts('failed')).failed === 1) || undefined, 20_000, 100);
    await bare.close();

    const res = await tokenward(['org', 'report', '--queue', redis.url, '-f', 'json'], testTree());
    expect(res.code, res.stderr).toBe(2);
    const report = JSON.parse(res.stdout) as { repositories: Array<{ name: string; status: string; error: string }> };
    expect(report.repositories).toEqual([expect.objectContaining({ name: 'acme/huge', status: 'failed', error: 'job stalled more than allowable limit' })]);
    expect(res.stderr).toContain('failed: acme/huge: job stalled more than allowable limit');
  });
});
