import { createHash } from 'node:crypto';
import { normalizeRepositoryUrl } from '@tokenward/sources';
import type { RefTips } from '@tokenward/sources';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A repository's key in Redis, the state file and the mirror cache: stable across listings. */
export function repositoryId(url: string): string {
  return sha256(normalizeRepositoryUrl(url)).slice(0, 20);
}

/**
 * A queue job's id: the repository and its tips. Enqueueing the same repository at the same tips
 * again finds the job already there; a push gives a new id, hence a new job.
 */
export function repositoryJobId(url: string, tips: RefTips | undefined): string {
  const lines = tips ? Object.entries(tips).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ref, sha]) => `${sha} ${ref}`) : ['unlisted'];
  return `${repositoryId(url)}-${sha256(lines.join('\n')).slice(0, 16)}`;
}
