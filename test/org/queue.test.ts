/**
 * Organisation scanning end to end, all on 127.0.0.1: a real redis-server, a stand-in GitHub API
 * (pagination, a 403 rate limit with X-RateLimit-Reset, a 429 with Retry-After), 24 real
 * repositories cloned over file://, workers as separate processes. One worker is killed with
 * SIGKILL in the middle of the large repository's scan and Redis is restarted while the others
 * work; the merged report must still hold every seeded secret exactly once. Then the same
 * organisation is scanned in-process and as two CI shards: same findings. Then new commits:
 * a second enqueue scans only those.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempTree } from '../helpers/cli.js';
import { makeSeededOrg, seedToken, type SeededOrg } from './fixtures.js';
import { startRedis, type TestRedis } from './redis.js';
import { startTokenward, tokenward, waitFor, type Proc } from './run.js';
import { startStandinGitHub, type StandinApi } from './standins.js';

interface Report {
  summary: { repositories: number; scanned: number; failed: number; secrets: number; inHead: number };
  repositories: Array<{ name: string; status: string; error?: string; commits: number; lastCommits: number }>;
  secrets: Array<{ fingerprint: string; redacted: string; presentAtHead: boolean; locations: Array<{ repositoryName: string; commit: string; path: string; line: number; presentAtHead: boolean; occurrences: number }> }>;
}

const REPOS = 22;
const ORG = 'acme';
let tmp: { dir: string; cleanup: () => void };
let redis: TestRedis;
let github: StandinApi;
let org: SeededOrg;
const procs: Proc[] = [];
let queueReport: Report;

const listing = () => ['--github-org', ORG, '--github-api', github.url];
const queue = () => ['--queue', redis.url];
const read = (file: string) => JSON.parse(readFileSync(join(tmp.dir, file), 'utf8')) as Report;
/** What must not differ between modes: each secret and every place it is held. */
const findingsOf = (r: Report) =>
  r.secrets
    .map((s) => ({ fingerprint: s.fingerprint, redacted: s.redacted, locations: s.locations.map((l) => `${l.repositoryName} ${l.commit} ${l.path}:${l.line} head=${l.presentAtHead} x${l.occurrences}`).sort() }))
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));

beforeAll(async () => {
  tmp = tempTree();
  redis = await startRedis();
  org = makeSeededOrg(join(tmp.dir, 'remote'), REPOS, { monolith: true });
  const listed = [
    { name: org.big!.name, cloneUrl: org.big!.url },
    ...org.repos.map((r, i) => ({ name: r.name, cloneUrl: r.url, archived: i === 4 })),
    { name: 'gone', cloneUrl: `file://${join(tmp.dir, 'remote', 'gone')}` },
    { name: 'someone-elses-fork', cloneUrl: `file://${join(tmp.dir, 'remote', 'fork')}`, fork: true },
  ];
  github = await startStandinGitHub(ORG, listed, { perPage: 10, rateLimit: { 2: 'github-403', 3: 'retry-after' } });
}, 120_000);

afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await github?.close();
  await redis?.stop();
  tmp?.cleanup();
});

describe('org scanning on a BullMQ queue (real Redis, worker processes)', () => {
  it('enqueues one job per repository from the paginated, rate-limited GitHub listing; enqueueing again adds nothing', async () => {
    const first = await tokenward(['org', 'enqueue', ...queue(), ...listing(), '--attempts', '2', '--backoff', '200'], tmp.dir, { GITHUB_TOKEN: 'stand-in-token' });
    expect(first.code, first.stderr).toBe(0);
    // 22 services + the monolith + one that cannot be cloned; the fork is left out.
    expect(first.stdout).toContain('queued 24 repositories: 24 added');
    expect(first.stderr).toMatch(/answered 403 \(rate limit used up, resets at .*\): waiting \d s/);
    expect(first.stderr).toMatch(/answered 429 \(Retry-After: 1\): waiting 1 s/);
    expect(first.stderr).toContain('acme/gone: tips unreadable');
    // Each rate-limited page was asked again only after the wait it was told.
    const p2 = github.requests.filter((r) => r.path.includes('page=2'));
    expect(p2.map((r) => r.status)).toEqual([403, 200]);
    expect(p2[1]!.at - p2[0]!.at).toBeGreaterThanOrEqual(900);
    expect(github.requests.every((r) => r.auth === 'Bearer stand-in-token')).toBe(true);

    const again = await tokenward(['org', 'enqueue', ...queue(), ...listing(), '--attempts', '2', '--backoff', '200'], tmp.dir, { GITHUB_TOKEN: 'stand-in-token' });
    expect(again.stdout).toContain('queued 24 repositories: 0 added, 24 already queued');
  });

  it('survives a worker killed mid-job and a Redis restart: every seeded secret once, the failure recorded', async () => {
    const cache = (n: string) => ['--cache', join(tmp.dir, `cache-${n}`)];
    const workerArgs = (n: string, concurrency: number) => ['worker', ...queue(), ...cache(n), '--concurrency', String(concurrency), '--lock-duration', '3000', '--no-config'];
    const a = startTokenward(workerArgs('a', 1), tmp.dir);
    procs.push(a);
    const q = new Queue('tokenward-org', { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    try {
      // Worker A scans the monolith (250 commits): killed while it is at it, before it stored anything.
      await waitFor('worker A scanning the monolith', async () => {
        const active = await q.getActive();
        return active.some((j) => j.data.name === 'acme/monolith' && (j.progress as { phase?: string }).phase === 'scanning') || undefined;
      });
      a.child.kill('SIGKILL');
      await a.exited;
    } finally {
      await q.close();
    }
    expect(a.log()).toContain('start acme/monolith');
    expect(a.log()).not.toContain('done acme/monolith');

    const b = startTokenward([...workerArgs('b', 2), '--exit-when-drained'], tmp.dir);
    const c = startTokenward([...workerArgs('c', 2), '--exit-when-drained'], tmp.dir);
    procs.push(b, c);
    await waitFor('a job done by worker B or C', () => /done acme\//.test(b.log() + c.log()) || undefined);
    await redis.restart();
    const codes = await Promise.all([b.exited, c.exited]);
    expect(codes, b.log() + c.log()).toEqual([0, 0]);
    // The killed worker's job was taken over once its lock expired.
    expect(b.log() + c.log()).toMatch(/done acme\/monolith: 250 commits, 1 new secret/);

    const r = await tokenward(['org', 'report', ...queue(), '-f', 'json', '-o', 'queue.json'], tmp.dir);
    expect(r.code, r.stderr).toBe(2); // a repository could not be scanned
    queueReport = read('queue.json');
    const fps = queueReport.secrets.map((s) => s.fingerprint);
    expect(new Set(fps).size).toBe(fps.length);
    expect([...fps].sort()).toEqual(org.secrets.map((s) => s.fingerprint).sort());
    for (const seeded of org.secrets) {
      const s = queueReport.secrets.find((x) => x.fingerprint === seeded.fingerprint)!;
      expect(s.locations.map((l) => l.repositoryName).sort()).toEqual(seeded.repos.map((n) => `acme/${n}`).sort());
      expect(s.presentAtHead).toBe(seeded.inHead);
      expect(s.locations.every((l) => l.occurrences === 1)).toBe(true);
    }
    expect(queueReport.summary).toMatchObject({ repositories: 24, scanned: 23, failed: 1 });
    const gone = queueReport.repositories.find((x) => x.name === 'acme/gone')!;
    expect(gone.status).toBe('failed');
    expect(gone.error).toMatch(/cannot clone .*gone.*does not appear to be a git repository/);
    expect(r.stderr).toContain('failed: acme/gone: cannot clone');

    const status = await tokenward(['org', 'status', ...queue(), '--format', 'json'], tmp.dir);
    const st = JSON.parse(status.stdout) as { counts: Record<string, number>; repositories: number; failures: Array<{ repository: string; reason: string; attempts: number }> };
    expect(st.counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 23, failed: 1 });
    expect(st.repositories).toBe(24);
    expect(st.perMinute).toBeGreaterThan(0);
    expect(st.failures).toEqual([expect.objectContaining({ repository: 'acme/gone', attempts: 2 })]);
  });

  it('keeps no raw secret in Redis or in any report: redacted values and fingerprints only', async () => {
    const client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null });
    let dump = '';
    try {
      for (const key of await client.keys('*')) {
        const type = await client.type(key);
        if (type === 'string') dump += await client.get(key);
        else if (type === 'hash') dump += JSON.stringify(await client.hgetall(key));
        else if (type === 'list') dump += JSON.stringify(await client.lrange(key, 0, -1));
        else if (type === 'set') dump += JSON.stringify(await client.smembers(key));
        else if (type === 'zset') dump += JSON.stringify(await client.zrange(key, 0, -1));
        else if (type === 'stream') dump += JSON.stringify(await client.xrange(key, '-', '+'));
      }
    } finally {
      client.disconnect();
    }
    expect(dump).toContain(org.secrets[0]!.fingerprint);
    for (const f of ['sarif', 'html']) expect((await tokenward(['org', 'report', ...queue(), '-f', f, '-o', `queue.${f}`], tmp.dir)).code).toBe(2);
    const texts = [dump, ...['queue.json', 'queue.sarif', 'queue.html'].map((f) => readFileSync(join(tmp.dir, f), 'utf8'))];
    for (const { token } of org.secrets) for (const t of texts) expect(t.includes(token)).toBe(false);
    const sarif = JSON.parse(texts[2]!) as { runs: Array<{ results: unknown[]; versionControlProvenance: Array<{ repositoryUri: string }> }> };
    expect(sarif.runs).toHaveLength(24);
    expect(sarif.runs.reduce((n, r) => n + r.results.length, 0)).toBe(queueReport.secrets.reduce((n, s) => n + s.locations.length, 0));
  });

  it('local mode (in-process) and two CI shards merged give the same findings as the queue', async () => {
    const local = await tokenward(['org', 'scan', ...listing(), '--cache', join(tmp.dir, 'cache-local'), '--no-config', '--attempts', '1', '-f', 'json', '-o', 'local.json'], tmp.dir);
    expect(local.code, local.stderr).toBe(2);
    expect(findingsOf(read('local.json'))).toEqual(findingsOf(queueReport));

    const plan = await tokenward(['org', 'plan', '--shards', '2'], tmp.dir);
    const matrix = JSON.parse(plan.stdout) as { shard: string[] };
    expect(matrix).toEqual({ shard: ['1/2', '2/2'] });
    const shards = matrix.shard.map((s, i) => startTokenward(['org', 'scan', ...listing(), '--shard', s, '--cache', join(tmp.dir, 'cache-ci'), '--no-config', '--attempts', '1', '-f', 'json', '-o', `shard-${i + 1}.json`], tmp.dir));
    procs.push(...shards);
    await Promise.all(shards.map((p) => p.exited));
    const sizes = matrix.shard.map((_, i) => read(`shard-${i + 1}.json`).repositories.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(24);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    const merged = await tokenward(['org', 'merge', 'shard-1.json', 'shard-2.json', '-f', 'json', '-o', 'merged.json'], tmp.dir);
    expect(merged.code, merged.stderr).toBe(2);
    expect(findingsOf(read('merged.json'))).toEqual(findingsOf(queueReport));
    expect(read('merged.json').summary).toEqual(queueReport.summary);
  });

  it('after new commits, a second enqueue queues only the changed repositories and scans only the new commits', async () => {
    const [withSecret, plain, branched] = [org.repos[5]!, org.repos[6]!, org.repos[7]!];
    const fresh = seedToken();
    expect(org.addCommits(withSecret, [{ 'ops/rotate.sh': `export GITHUB_TOKEN=${fresh.token}\n` }, { 'NOTES.md': 'rotated\n' }])).toBe(2);
    org.addCommits(plain, [{ 'NOTES.md': 'nothing secret\n' }]);
    const reviewed = seedToken();
    // A new branch off main: only its own commit is new.
    execFileSync('git', ['branch', 'review', 'main'], { cwd: branched.dir });
    org.addCommits(branched, [{ 'review.env': `GITHUB_TOKEN=${reviewed.token}\n` }], 'review');

    const enq = await tokenward(['org', 'enqueue', ...queue(), ...listing(), '--attempts', '2', '--backoff', '200'], tmp.dir);
    expect(enq.stdout).toContain('queued 24 repositories: 3 added, 20 already queued or done at the same tips, 1 failed one retried');
    const w = startTokenward(['worker', ...queue(), '--cache', join(tmp.dir, 'cache-b'), '--exit-when-drained', '--no-config', '--lock-duration', '3000'], tmp.dir);
    procs.push(w);
    expect(await w.exited, w.log()).toBe(0);
    expect(w.log()).toMatch(/done acme\/service-05: 2 commits, 1 new secret, 2 in all/);
    expect(w.log()).toMatch(/done acme\/service-06: 1 commit, 0 new secrets, 2 in all/);
    expect(w.log()).toMatch(/done acme\/service-07: 1 commit, 1 new secret, 2 in all/);
    expect(w.log().match(/ start /g)).toHaveLength(3 + 2); // the three, and the failing one twice

    await tokenward(['org', 'report', ...queue(), '-f', 'json', '-o', 'queue2.json'], tmp.dir);
    const after = read('queue2.json');
    const before = findingsOf(queueReport);
    const now = findingsOf(after);
    expect(now.map((s) => s.fingerprint).sort()).toEqual([...before.map((s) => s.fingerprint), fresh.fingerprint, reviewed.fingerprint].sort());
    for (const s of before) expect(now.find((x) => x.fingerprint === s.fingerprint)).toEqual(s);
    expect(after.repositories.find((r) => r.name === 'acme/service-05')).toMatchObject({ lastCommits: 2 });

    // Local mode remembers too: its second run scans exactly the same new commits.
    const local = await tokenward(['org', 'scan', ...listing(), '--cache', join(tmp.dir, 'cache-local'), '--no-config', '--attempts', '1', '-f', 'json', '-o', 'local2.json'], tmp.dir);
    expect(local.stderr).toMatch(/scanned acme\/service-05: 2 commits, 1 new secret/);
    expect(local.stderr).toMatch(/scanned acme\/service-00: no new commits/);
    expect(findingsOf(read('local2.json'))).toEqual(now);
    writeFileSync(join(tmp.dir, 'done'), '');
  });
});
