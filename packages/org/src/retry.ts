/** How a failing repository is retried: the same policy in the queue (BullMQ attempts and
 * exponential backoff) and in-process. */
export interface RetryPolicy {
  /** Tries in all (1 = no retry). */
  attempts: number;
  /** First delay; doubled for each further retry. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 5000 };

export const retryDelay = (policy: RetryPolicy, attemptsMade: number): number => policy.backoffMs * 2 ** (attemptsMade - 1);
