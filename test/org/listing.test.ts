/**
 * Repository listings against stand-in GitHub and GitLab APIs on 127.0.0.1: documented pagination
 * (Link rel="next"), rate limits (403 + X-RateLimit-Reset, 429 + Retry-After, GitLab 429 +
 * RateLimit-Reset), filters, tokens only to the API's own origin; list files with clear errors.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listGitHubRepositories, listGitLabRepositories, ListingError, nextLink, parseRepositoryList, readRepositoryList } from '@tokenward/org';
import { describe, expect, it, onTestFinished } from 'vitest';
import { testTree } from '../helpers/cli.js';
import { makeSeededOrg } from './fixtures.js';
import { tokenward } from './run.js';
import { startStandinGitHub, startStandinGitLab } from './standins.js';

const repos = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `r${i}`, cloneUrl: `https://git.example/acme/r${i}.git`, archived: i === 3, fork: i === 4 }));

describe('GitHub listing', () => {
  it('follows Link pages, waits out a 403 rate limit until X-RateLimit-Reset and a 429 for Retry-After, sends the token, filters forks and (on request) archived', async () => {
    const api = await startStandinGitHub('acme', repos(25), { perPage: 10, rateLimit: { 2: 'github-403', 3: 'retry-after' } });
    onTestFinished(() => api.close());
    const waits: string[] = [];
    const listed = await listGitHubRepositories({ owner: { org: 'acme' }, apiUrl: api.url, token: 't0ken', onWait: (ms, why) => waits.push(`${Math.ceil(ms / 1000)} ${why}`) });
    expect(listed.map((r) => r.name)).toEqual(repos(25).filter((r) => !r.fork).map((r) => `acme/${r.name}`));
    expect(listed.find((r) => r.name === 'acme/r3')).toMatchObject({ archived: true, source: 'github', url: 'https://git.example/acme/r3.git' });
    expect(waits).toEqual([expect.stringMatching(/^[12] 127\.0\.0\.1:\d+ answered 403 \(rate limit used up, resets at /), '1 127.0.0.1:' + new URL(api.url).port + ' answered 429 (Retry-After: 1)']);
    expect(api.requests.map((r) => `${new URL(r.path, api.url).searchParams.get('page') ?? '1'}:${r.status}`)).toEqual(['1:200', '2:403', '2:200', '3:429', '3:200']);
    expect(api.requests.every((r) => r.auth === 'Bearer t0ken')).toBe(true);
    expect(new URL(api.requests[0]!.path, api.url).searchParams.get('per_page')).toBe('100');

    const noArchived = await listGitHubRepositories({ owner: { org: 'acme' }, apiUrl: api.url, includeArchived: false, includeForks: true });
    expect(noArchived.map((r) => r.name)).not.toContain('acme/r3');
    expect(noArchived.map((r) => r.name)).toContain('acme/r4');
  });

  it('names an unknown organisation; a rate limit longer than allowed fails instead of hanging', async () => {
    const api = await startStandinGitHub('acme', repos(3), { perPage: 10, rateLimit: {} });
    onTestFinished(() => api.close());
    await expect(listGitHubRepositories({ owner: { org: 'nope' }, apiUrl: api.url })).rejects.toThrow('GitHub organisation "nope" not found at 127.0.0.1');
    const limited = await startStandinGitHub('acme', repos(3), { perPage: 10, rateLimit: { 1: 'github-403' } });
    onTestFinished(() => limited.close());
    await expect(listGitHubRepositories({ owner: { org: 'acme' }, apiUrl: limited.url, maxWaitMs: 100 })).rejects.toThrow(/rate limit \(403; rate limit used up.*longer than allowed/);
  });

  it('never sends the token to another host or over plain http off loopback', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', link: '<https://elsewhere.example/orgs/acme/repos?page=2>; rel="next"' }).end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(listGitHubRepositories({ owner: { org: 'acme' }, apiUrl: url, token: 'x' })).rejects.toThrow('refused to follow a next-page link to another host (elsewhere.example)');
    await expect(listGitHubRepositories({ owner: { org: 'acme' }, apiUrl: 'http://ghe.example/api/v3', token: 'x' })).rejects.toThrow(/must be https/);
  });

  it('reads RFC 8288 Link headers', () => {
    expect(nextLink('<https://a/x?page=3>; rel="next", <https://a/x?page=9>; rel="last"')).toBe('https://a/x?page=3');
    expect(nextLink('<https://a/x?page=1>; rel="prev first"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

describe('GitLab listing', () => {
  it('lists a group with its subgroups over Link pages, waits on 429 Retry-After, sends PRIVATE-TOKEN, leaves forks out', async () => {
    const projects = [
      ...Array.from({ length: 7 }, (_, i) => ({ name: `p${i}`, namespace: 'acme', cloneUrl: `https://gitlab.example/acme/p${i}.git` })),
      { name: 'deep', namespace: 'acme/platform', cloneUrl: 'https://gitlab.example/acme/platform/deep.git' },
      { name: 'forked', namespace: 'acme', cloneUrl: 'https://gitlab.example/acme/forked.git', fork: true },
    ];
    const api = await startStandinGitLab('acme', projects, { perPage: 4, rateLimit: { 2: 'retry-after' } });
    onTestFinished(() => api.close());
    const waits: string[] = [];
    const listed = await listGitLabRepositories({ group: 'acme', apiUrl: `${api.url}/api/v4`, token: 'gl-t0ken', onWait: (_ms, why) => waits.push(why) });
    expect(listed.map((r) => r.name)).toEqual([...projects.slice(0, 7).map((p) => `acme/${p.name}`), 'acme/platform/deep']);
    expect(waits).toEqual([expect.stringContaining('answered 429 (Retry-After: 1)')]);
    expect(api.requests.every((r) => r.auth === 'gl-t0ken')).toBe(true);
    expect(api.requests[0]!.path).toContain('include_subgroups=true');
    const own = await listGitLabRepositories({ group: 'acme', apiUrl: `${api.url}/api/v4`, includeSubgroups: false });
    expect(own.map((r) => r.name)).not.toContain('acme/platform/deep');
    await expect(listGitLabRepositories({ group: 'missing', apiUrl: `${api.url}/api/v4` })).rejects.toThrow('GitLab group "missing" not found');
  });

  it('tokenward org scan --gitlab-group scans the listed projects', async () => {
    const dir = testTree();
    const org = makeSeededOrg(join(dir, 'remote'), 2);
    const api = await startStandinGitLab('acme', org.repos.map((r) => ({ name: r.name, namespace: 'acme', cloneUrl: r.url })), { perPage: 1, rateLimit: {} });
    onTestFinished(() => api.close());
    const res = await tokenward(['org', 'scan', '--gitlab-group', 'acme', '--gitlab-api', `${api.url}/api/v4`, '--cache', join(dir, 'cache'), '--no-config', '-f', 'json'], dir);
    expect(res.code, res.stderr).toBe(1);
    const report = JSON.parse(res.stdout) as { secrets: Array<{ fingerprint: string }>; repositories: Array<{ name: string; source: string }> };
    expect(report.repositories.map((r) => `${r.name} ${r.source}`)).toEqual(['acme/service-00 gitlab', 'acme/service-01 gitlab']);
    const expected = org.secrets.map((s) => s.fingerprint);
    expect(report.secrets.map((s) => s.fingerprint).sort()).toEqual(expected.sort());
  });
});

describe('repository list files', () => {
  it('takes URLs and paths (relative to the file), skips comments and duplicates', () => {
    const dir = testTree({ 'repos.txt': '# the platform team\nhttps://github.com/acme/api.git\nhttps://GitHub.com/acme/api   # same one\n\ngit@github.com:acme/web.git\n../mirrors/tools\n' });
    const listed = readRepositoryList(join(dir, 'repos.txt'));
    const tools = resolve(dir, '..', 'mirrors', 'tools');
    expect(listed.map((r) => r.url)).toEqual(['https://github.com/acme/api.git', 'git@github.com:acme/web.git', pathToFileURL(tools).href]);
    expect(listed.map((r) => r.name)).toEqual(['acme/api', 'acme/web', 'mirrors/tools']);
  });

  it('refuses credentials in a URL and two entries on a line, naming file and line', () => {
    expect(() => parseRepositoryList('https://github.com/a/b\nhttps://x:ghp_secret@github.com/a/c\n', 'repos.txt')).toThrow(ListingError);
    expect(() => parseRepositoryList('https://github.com/a/b\nhttps://x:ghp_secret@github.com/a/c\n', 'repos.txt')).toThrow(/^repos\.txt:2: credentials in a repository URL/);
    expect(() => parseRepositoryList('a b\n', 'list')).toThrow('list:1: one repository per line, got "a b"');
  });

  it('the CLI reports a missing list file and a missing listing flag as usage errors', async () => {
    const dir = testTree();
    const missing = await tokenward(['org', 'scan', '--repos', 'nope.txt'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/org scan: cannot read repository list .*nope\.txt: ENOENT/);
    const none = await tokenward(['org', 'scan'], dir);
    expect(none.stderr).toContain('name the repositories with one of --repos FILE');
    const shard = await tokenward(['org', 'scan', '--repos', 'x', '--shard', '4/3'], dir);
    expect(shard.stderr).toContain('--shard takes I/N with 1 ≤ I ≤ N');
  });
});
