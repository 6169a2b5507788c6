import { describe, expect, it } from 'vitest';
import { gitEnvFor, mergeRepositoryFindings, parseShard, redisOptions, repositoryJobId, selectShard, unscannedRevisions, type StoredFinding } from '@tokenward/org';

const sha = (c: string) => c.repeat(40);

describe('what is left to scan (per ref tips)', () => {
  it('first scan: every tip; later: new tips minus every tip scanned before that still exists', () => {
    expect(unscannedRevisions({ 'refs/heads/main': sha('a'), 'refs/tags/v1': sha('a') }, {}, () => true)).toEqual([sha('a')]);
    expect(unscannedRevisions({ 'refs/heads/main': sha('a') }, { 'refs/heads/main': sha('a') }, () => true)).toBeUndefined();
    // A new branch off main: only its own commits (main's tip is excluded).
    expect(unscannedRevisions({ 'refs/heads/main': sha('a'), 'refs/heads/topic': sha('b') }, { 'refs/heads/main': sha('a') }, () => true)).toEqual([sha('b'), `^${sha('a')}`]);
    // A force-push whose old tip is gone: nothing to exclude it by.
    expect(unscannedRevisions({ 'refs/heads/main': sha('c') }, { 'refs/heads/main': sha('a'), 'refs/heads/old': sha('d') }, (s) => s === sha('d'))).toEqual([sha('c'), `^${sha('d')}`]);
    // A deleted branch only: nothing new.
    expect(unscannedRevisions({ 'refs/heads/main': sha('a') }, { 'refs/heads/main': sha('a'), 'refs/heads/gone': sha('e') }, () => true)).toBeUndefined();
  });

  it('job ids: same repository and tips, same id (order of refs aside); a push changes it', () => {
    const a = repositoryJobId('https://github.com/acme/api.git', { 'refs/heads/main': sha('a'), 'refs/tags/v1': sha('b') });
    expect(repositoryJobId('https://GitHub.com/acme/api/', { 'refs/tags/v1': sha('b'), 'refs/heads/main': sha('a') })).toBe(a);
    expect(repositoryJobId('https://github.com/acme/api.git', { 'refs/heads/main': sha('c'), 'refs/tags/v1': sha('b') })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{20}-[0-9a-f]{16}$/);
  });
});

describe('merging a scan into stored findings', () => {
  const f = (over: Partial<StoredFinding>): StoredFinding => ({ fingerprint: 'fp1', ruleId: 'r', provider: 'P', title: 't', severity: 'high', confidence: 'high', redacted: 'x****', commit: sha('b'), path: 'a.txt', line: 1, column: 1, occurrences: 1, presentAtHead: true, date: '2024-02-01T00:00:00+00:00', ...over });

  it('keeps the earliest introduction, adds introductions, takes HEAD from the newer scan, keeps the first verification', () => {
    const existing = new Map([['fp1', f({ verified: { status: 'active', checkedAt: '2024-02-02T00:00:00Z' } })]]);
    const changed = mergeRepositoryFindings(existing, [f({ commit: sha('c'), date: '2024-03-01T00:00:00+01:00', presentAtHead: false, path: 'b.txt' })]);
    expect(changed.get('fp1')).toMatchObject({ commit: sha('b'), path: 'a.txt', occurrences: 2, presentAtHead: false, verified: { status: 'active' } });
    // Offsets are compared as instants, not as text.
    const earlier = mergeRepositoryFindings(existing, [f({ commit: sha('d'), date: '2024-02-01T00:30:00+01:00' })]);
    expect(earlier.get('fp1')!.commit).toBe(sha('d'));
  });

  it('with HEAD re-read, a secret found before and since removed is no longer at HEAD; unchanged ones are not rewritten', () => {
    const existing = new Map([
      ['fp1', f({})],
      ['fp2', f({ fingerprint: 'fp2' })],
    ]);
    const changed = mergeRepositoryFindings(existing, [], new Set(['fp2']));
    expect([...changed.keys()]).toEqual(['fp1']);
    expect(changed.get('fp1')!.presentAtHead).toBe(false);
  });
});

describe('queue URL and shards', () => {
  it('reads redis:// URLs (password, database, TLS) and names a bad one without echoing a password', () => {
    expect(redisOptions('redis://127.0.0.1:6380/2')).toMatchObject({ host: '127.0.0.1', port: 6380, db: 2, maxRetriesPerRequest: null });
    expect(redisOptions('rediss://:s%40cret@redis.internal')).toMatchObject({ host: 'redis.internal', port: 6379, password: 's@cret', tls: {} });
    expect(() => redisOptions('http://x')).toThrow('expected redis://HOST:PORT');
    expect(() => redisOptions('redis://127.0.0.1/db')).toThrow('database must be a number');
  });

  it('splits repositories into shards by a hash of their URL: every repository in exactly one shard', () => {
    const repos = Array.from({ length: 100 }, (_, i) => ({ url: `https://github.com/acme/r${i}.git`, name: `acme/r${i}`, source: 'github' as const }));
    const shards = [1, 2, 3, 4].map((index) => selectShard(repos, { index, total: 4 }));
    expect(shards.flat().map((r) => r.name).sort()).toEqual(repos.map((r) => r.name).sort());
    for (const s of shards) expect(s.length).toBeGreaterThan(10);
    expect(() => parseShard('0/4')).toThrow('--shard takes I/N');
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
  });
});

describe('clone credentials', () => {
  it('GITHUB_TOKEN / GITLAB_TOKEN reach git as an https header for that host through GIT_CONFIG_* (appended), never for other listings or plain http', () => {
    const env = { GITHUB_TOKEN: 'gh-t', GITLAB_TOKEN: 'gl-t', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.x', GIT_CONFIG_VALUE_0: 'y' };
    const gh = gitEnvFor({ url: 'https://ghe.example/acme/api.git', name: 'acme/api', source: 'github' }, env);
    expect(gh).toMatchObject({ GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_1: 'http.https://ghe.example/.extraheader' });
    expect(Buffer.from(gh.GIT_CONFIG_VALUE_1!.replace('AUTHORIZATION: basic ', ''), 'base64').toString()).toBe('x-access-token:gh-t');
    const gl = gitEnvFor({ url: 'https://gitlab.example/g/p.git', name: 'g/p', source: 'gitlab' }, env);
    expect(Buffer.from(gl.GIT_CONFIG_VALUE_1!.replace('AUTHORIZATION: basic ', ''), 'base64').toString()).toBe('oauth2:gl-t');
    expect(gitEnvFor({ url: 'https://github.com/a/b.git', name: 'a/b', source: 'list' }, env).GIT_CONFIG_COUNT).toBe('1');
    expect(gitEnvFor({ url: 'http://ghe.example/a/b.git', name: 'a/b', source: 'github' }, env).GIT_CONFIG_COUNT).toBe('1');
  });
});
