import { MetricsTime, Queue, Worker, type Job } from 'bullmq';
import type { ListingSource, RepositoryRef } from '@tokenward/sources';
import type { OrgResults } from './store.js';
import { runRepositoryJob, type JobContext, type JobOutcome, type JobPhase } from './job.js';
import { remoteTips } from './mirror.js';
import { RedisStore } from './redis-store.js';
import { repositoryId, repositoryJobId } from './repo-id.js';
import { redisOptions, type QueueTarget } from './queue-target.js';
import type { RetryPolicy } from './retry.js';

/**
 * Queue mode on BullMQ: one job per repository (id = repository + tips), any number of workers on
 * any number of machines. Locks, stalled-job recovery (a killed worker's job goes back to the
 * queue when its lock expires), retries with exponential backoff and the failed set are BullMQ's;
 * results live beside the queue in Redis (RedisStore).
 */

const JOB_NAME = 'scan-repository';
/** Completed jobs are kept a week (re-enqueueing unchanged repositories is then a no-op), failed ones a month. */
const KEEP_COMPLETED_S = 7 * 24 * 3600;
const KEEP_FAILED_S = 30 * 24 * 3600;

/** The job's data: what a worker needs to clone; never a token. */
export interface RepositoryJobData {
  url: string;
  name: string;
  source: ListingSource;
}

/**
 * Everything the workers stored, plus what only BullMQ knows: a job it failed itself (one that
 * stalled too often: a repository that keeps killing its worker, say by running it out of memory)
 * never reached our processor's failure record, so it is taken from the failed set.
 */
export async function queueResults(target: QueueTarget): Promise<OrgResults> {
  const connection = redisOptions(target.url);
  const store = new RedisStore(connection, target.name);
  const queue = new Queue<RepositoryJobData>(target.name, { connection });
  try {
    const results = await store.results();
    const byId = new Map(results.repositories.map((r) => [r.id, r]));
    for (const job of await queue.getFailed(0, -1)) {
      const id = repositoryId(job.data.url);
      const failedAt = new Date(job.finishedOn ?? Date.now()).toISOString();
      const known = byId.get(id);
      if (known && (known.status === 'failed' || (known.scannedAt ?? '') >= failedAt)) continue;
      const failure = { status: 'failed' as const, error: job.failedReason || 'failed', failedAt };
      if (known) Object.assign(known, failure);
      else results.repositories.push({ id, name: job.data.name, url: job.data.url, source: job.data.source, commits: 0, lastCommits: 0, problems: [], findings: [], ...failure });
    }
    return results;
  } finally {
    await queue.close();
    await store.close();
  }
}

export interface EnqueueOptions {
  retry: RetryPolicy;
  env: NodeJS.ProcessEnv;
  /** `git ls-remote` calls at a time. */
  parallel?: number;
  onRepository?: (repo: RepositoryRef, outcome: 'added' | 'queued' | 'retried', note?: string) => void;
}

export interface EnqueueSummary {
  added: number;
  /** Already queued or done at the same tips. */
  queued: number;
  /** A failed job at the same tips, sent back to the queue. */
  retried: number;
}

/**
 * One job per repository. Its tips are read with `git ls-remote` so the id names exactly what will
 * be scanned; a repository whose tips cannot be read is still queued (the worker records why it
 * fails). A job that failed at the same tips is retried.
 */
export async function enqueueRepositories(target: QueueTarget, repos: readonly RepositoryRef[], options: EnqueueOptions): Promise<EnqueueSummary> {
  const queue = new Queue<RepositoryJobData, JobOutcome, typeof JOB_NAME>(target.name, { connection: redisOptions(target.url) });
  const summary: EnqueueSummary = { added: 0, queued: 0, retried: 0 };
  try {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < repos.length) {
        const repo = repos[next++]!;
        let note: string | undefined;
        const tips = await remoteTips(repo, options.env).catch((e: Error) => {
          note = `tips unreadable (${e.message}); queued for a worker to record`;
          return undefined;
        });
        const jobId = repositoryJobId(repo.url, tips);
        const existing = await queue.getJob(jobId);
        let outcome: 'added' | 'queued' | 'retried' = 'queued';
        if (existing) {
          if ((await existing.getState()) === 'failed') {
            // With its full number of attempts again, as a new job would have.
            await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
            outcome = 'retried';
          }
        } else {
          await queue.add(JOB_NAME, { url: repo.url, name: repo.name, source: repo.source }, {
            jobId,
            attempts: options.retry.attempts,
            backoff: { type: 'exponential', delay: options.retry.backoffMs },
            removeOnComplete: { age: KEEP_COMPLETED_S },
            removeOnFail: { age: KEEP_FAILED_S },
          });
          outcome = 'added';
        }
        summary[outcome]++;
        options.onRepository?.(repo, outcome, note);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 8, repos.length)) }, lane));
  } finally {
    await queue.close();
  }
  return summary;
}

export type WorkerEvent =
  | { type: 'start'; job: string; repository: string; attempt: number }
  | { type: 'done'; job: string; repository: string; outcome: JobOutcome; ms: number }
  | { type: 'error'; job: string; repository: string; error: string; final: boolean };

export interface QueueWorkerOptions {
  concurrency: number;
  /** How long a job stays locked without renewal; a killed worker's job is retried after it. Default 30 s. */
  lockDurationMs?: number;
  onEvent?: (e: WorkerEvent) => void;
}

export interface QueueWorker {
  /** Finishes the jobs in hand, then stops. */
  close(): Promise<void>;
  /** Resolves when the queue has nothing waiting, delayed or active. */
  drained(pollMs?: number): Promise<void>;
}

export function startQueueWorker(target: QueueTarget, ctx: Omit<JobContext, 'store' | 'onPhase'>, options: QueueWorkerOptions): QueueWorker {
  const connection = redisOptions(target.url);
  const store = new RedisStore(connection, target.name);
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker = new Worker<RepositoryJobData, JobOutcome>(
    target.name,
    async (job: Job<RepositoryJobData, JobOutcome>) => {
      const repo: RepositoryRef = { url: job.data.url, name: job.data.name, source: job.data.source };
      const started = Date.now();
      options.onEvent?.({ type: 'start', job: job.id!, repository: repo.name, attempt: job.attemptsMade + 1 });
      try {
        const outcome = await runRepositoryJob(repo, { ...ctx, store, onPhase: (phase: JobPhase) => job.updateProgress({ phase }) });
        options.onEvent?.({ type: 'done', job: job.id!, repository: repo.name, outcome, ms: Date.now() - started });
        return outcome;
      } catch (e) {
        const error = (e as Error).message;
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (final) await store.recordFailure(repositoryId(repo.url), repo, error);
        options.onEvent?.({ type: 'error', job: job.id!, repository: repo.name, error, final });
        throw e;
      }
    },
    {
      connection,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      maxStalledCount: 2,
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );
  // Connection errors are retried by ioredis; BullMQ re-emits them here.
  worker.on('error', () => {});
  const queue = new Queue(target.name, { connection });
  return {
    async close() {
      await worker.close();
      await queue.close();
      await store.close();
    },
    async drained(pollMs = 500) {
      for (;;) {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(c).every((n) => n === 0)) return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}

export interface QueueStatus {
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  workers: number;
  /** Repositories finished per minute over the last 5 minutes. */
  perMinute: number;
  repositories: number;
  failures: Array<{ repository: string; reason: string; attempts: number }>;
}

export async function queueStatus(target: QueueTarget): Promise<QueueStatus> {
  const connection = redisOptions(target.url);
  const queue = new Queue<RepositoryJobData>(target.name, { connection });
  const store = new RedisStore(connection, target.name);
  try {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    const recent = await queue.getCompleted(0, 999);
    const now = Date.now();
    const window = 5 * 60_000;
    const inWindow = recent.filter((j) => (j.finishedOn ?? 0) > now - window);
    const oldest = Math.min(...inWindow.map((j) => j.processedOn ?? j.finishedOn ?? now));
    const spanMs = inWindow.length ? Math.max(now - oldest, 1000) : window;
    const failed = await queue.getFailed(0, 49);
    return {
      counts: { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 },
      workers: (await queue.getWorkers()).length,
      perMinute: (inWindow.length * 60_000) / Math.min(spanMs, window),
      repositories: await store.repositoryCount(),
      failures: failed.map((j) => ({ repository: j.data.name, reason: j.failedReason ?? '', attempts: j.attemptsMade })),
    };
  } finally {
    await queue.close();
    await store.close();
  }
}
