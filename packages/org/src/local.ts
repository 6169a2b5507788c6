import type { RepositoryRef } from '@tokenward/sources';
import { runRepositoryJob, type JobContext, type JobOutcome } from './job.js';
import { repositoryId } from './repo-id.js';
import { retryDelay, type RetryPolicy } from './retry.js';

export type LocalEvent =
  | { type: 'done'; repository: RepositoryRef; outcome: JobOutcome; ms: number }
  | { type: 'retry'; repository: RepositoryRef; error: string; attempt: number; delayMs: number }
  | { type: 'failed'; repository: RepositoryRef; error: string };

export interface LocalRunOptions extends JobContext {
  /** Repositories scanned at the same time. */
  concurrency: number;
  retry: RetryPolicy;
  onEvent?: (e: LocalEvent) => void;
}

/**
 * The queue's jobs without a queue: the same `runRepositoryJob` per repository, `concurrency` at a
 * time in this process (each history scan spreads its blobs over worker threads), with the same
 * retries, and a repository that keeps failing recorded as failed while the rest goes on.
 */
export async function runLocalScan(repos: readonly RepositoryRef[], options: LocalRunOptions): Promise<{ done: number; failed: number }> {
  let next = 0;
  let done = 0;
  let failed = 0;
  const one = async (repo: RepositoryRef): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const outcome = await runRepositoryJob(repo, options);
        done++;
        options.onEvent?.({ type: 'done', repository: repo, outcome, ms: Date.now() - started });
        return;
      } catch (e) {
        const error = (e as Error).message;
        if (attempt >= options.retry.attempts) {
          await options.store.recordFailure(repositoryId(repo.url), repo, error);
          failed++;
          options.onEvent?.({ type: 'failed', repository: repo, error });
          return;
        }
        const delayMs = retryDelay(options.retry, attempt);
        options.onEvent?.({ type: 'retry', repository: repo, error, attempt, delayMs });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  };
  const lane = async (): Promise<void> => {
    while (next < repos.length) await one(repos[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, repos.length)) }, lane));
  return { done, failed };
}
