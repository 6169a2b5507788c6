import { Redis } from 'ioredis';
import type { StoredFinding } from './findings.js';
import type { RepositoryRef } from '@tokenward/sources';
import type { RedisConnection } from './queue-target.js';
import type { RefTips } from '@tokenward/sources';
import type { OrgResults, RepositoryRecord, RepositoryState, ResultStore, ScanCommit } from './store.js';

/**
 * Results in Redis, beside the queue. Per repository:
 *   tw:<queue>:repo:<id>      hash: name, url, source, v (version), tips (JSON ref → sha), head,
 *                             scannedAt, commits, lastCommits, status, error, failedAt, problems
 *   tw:<queue>:findings:<id>  hash: fingerprint → redacted finding (JSON); only when there are any
 *   tw:<queue>:repos          set of repository ids
 * A scan is stored by one Lua script (atomic), only if the version is still the one the job read.
 */

const COMMIT_SCRIPT = `
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', v + 1, 'name', ARGV[3], 'url', ARGV[4], 'source', ARGV[5], 'tips', ARGV[6],
  'head', ARGV[7], 'scannedAt', ARGV[8], 'lastCommits', ARGV[9], 'status', 'done', 'problems', ARGV[10])
redis.call('HINCRBY', KEYS[1], 'commits', ARGV[9])
redis.call('HDEL', KEYS[1], 'error', 'failedAt')
for i = 11, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[3], ARGV[2])
return 1
`;

type FindingJson = Omit<StoredFinding, 'fingerprint'>;

export class RedisStore implements ResultStore {
  private readonly redis: Redis;
  private readonly prefix: string;

  /** `options` as ioredis takes them; commands wait for a reconnect (a Redis restart) instead of failing. */
  constructor(options: RedisConnection, queueName: string) {
    this.redis = new Redis({ ...options, maxRetriesPerRequest: null, lazyConnect: false });
    this.redis.on('error', () => {
      // Reconnects on its own; commands wait meanwhile (maxRetriesPerRequest: null).
    });
    this.prefix = `tw:${queueName}:`;
  }

  private keys(id: string): { repo: string; findings: string } {
    return { repo: `${this.prefix}repo:${id}`, findings: `${this.prefix}findings:${id}` };
  }

  async readState(id: string): Promise<RepositoryState> {
    const k = this.keys(id);
    const replies = (await this.redis.multi().hmget(k.repo, 'v', 'tips', 'head').hgetall(k.findings).exec()) ?? [];
    const [v, tips, head] = replies[0]![1] as (string | null)[];
    const findings = replies[1]![1] as Record<string, string>;
    return {
      version: Number(v ?? 0),
      tips: tips ? (JSON.parse(tips) as RefTips) : {},
      ...(head ? { head } : {}),
      findings: new Map(Object.entries(findings).map(([fp, json]) => [fp, { fingerprint: fp, ...(JSON.parse(json) as FindingJson) }])),
    };
  }

  async commitScan(id: string, expectedVersion: number, c: ScanCommit): Promise<boolean> {
    const k = this.keys(id);
    const pairs: string[] = [];
    for (const [fp, f] of c.findings) {
      const { fingerprint: _fp, ...rest } = f;
      pairs.push(fp, JSON.stringify(rest));
    }
    const ok = await this.redis.eval(
      COMMIT_SCRIPT,
      3,
      k.repo,
      k.findings,
      `${this.prefix}repos`,
      String(expectedVersion),
      id,
      c.repository.name,
      c.repository.url,
      c.repository.source,
      JSON.stringify(c.tips),
      c.head ?? '',
      c.scannedAt,
      String(c.commits),
      JSON.stringify(c.problems),
      ...pairs,
    );
    return ok === 1;
  }

  async recordFailure(id: string, repository: RepositoryRef, reason: string): Promise<void> {
    const k = this.keys(id);
    await this.redis
      .multi()
      .hset(k.repo, { name: repository.name, url: repository.url, source: repository.source, status: 'failed', error: reason, failedAt: new Date().toISOString() })
      .sadd(`${this.prefix}repos`, id)
      .exec();
  }

  async results(): Promise<OrgResults> {
    const ids = await this.redis.smembers(`${this.prefix}repos`);
    const repositories: OrgResults['repositories'] = [];
    // In batches, so 10,000 repositories are a few dozen round trips, not 20,000.
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const pipe = this.redis.pipeline();
      for (const id of batch) pipe.hgetall(this.keys(id).repo).hgetall(this.keys(id).findings);
      const replies = (await pipe.exec()) ?? [];
      batch.forEach((id, j) => {
        const repo = replies[2 * j]![1] as Record<string, string>;
        const findings = replies[2 * j + 1]![1] as Record<string, string>;
        repositories.push({ ...recordOf(id, repo), findings: Object.entries(findings).map(([fp, json]) => ({ fingerprint: fp, ...(JSON.parse(json) as FindingJson) })) });
      });
    }
    return { repositories };
  }

  async repositoryCount(): Promise<number> {
    return this.redis.scard(`${this.prefix}repos`);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function recordOf(id: string, h: Record<string, string>): RepositoryRecord {
  const r: RepositoryRecord = {
    id,
    name: h.name ?? id,
    url: h.url ?? '',
    source: (h.source as RepositoryRecord['source']) ?? 'list',
    status: h.status === 'failed' ? 'failed' : 'done',
    commits: Number(h.commits ?? 0),
    lastCommits: Number(h.lastCommits ?? 0),
    problems: h.problems ? (JSON.parse(h.problems) as string[]) : [],
  };
  if (h.error) r.error = h.error;
  if (h.failedAt) r.failedAt = h.failedAt;
  if (h.scannedAt) r.scannedAt = h.scannedAt;
  if (h.head) r.head = h.head;
  return r;
}
