import type { RepositoryRef } from '@tokenward/sources';
import { repositoryId } from './repo-id.js';

/** `I/N` (1-based), e.g. from a CI matrix. */
export interface Shard {
  index: number;
  total: number;
}

export class ShardError extends Error {
  override name = 'ShardError';
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || total < 1 || index < 1 || index > total) throw new ShardError(`--shard takes I/N with 1 ≤ I ≤ N (e.g. 2/4), got "${text}"`);
  return { index, total };
}

/**
 * A repository's shard, from its id (a hash of its normalised URL): every shard job computes the
 * same split from its own listing, and a repository added to the organisation does not move the
 * others to other shards (as slicing a sorted list would).
 */
export function shardOf(url: string, total: number): number {
  return (Number.parseInt(repositoryId(url).slice(0, 12), 16) % total) + 1;
}

export function selectShard(repos: readonly RepositoryRef[], shard: Shard): RepositoryRef[] {
  return repos.filter((r) => shardOf(r.url, shard.total) === shard.index);
}

/** The matrix `org plan` prints: `{"shard":["1/3","2/3","3/3"]}` for `strategy.matrix` (fromJSON). */
export function shardMatrix(total: number): { shard: string[] } {
  if (!Number.isInteger(total) || total < 1 || total > 256) throw new ShardError(`--shards takes a whole number from 1 to 256 (GitHub Actions runs at most 256 jobs per matrix), got "${total}"`);
  return { shard: Array.from({ length: total }, (_, i) => `${i + 1}/${total}`) };
}
