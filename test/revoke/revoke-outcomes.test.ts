/**
 * Revocation outcomes you can trust and records that are never lost: a token still active after
 * "revoked" is a failure; every failure shows the manual steps; the audit log is usable before
 * anything is sent; one failure (or a secret in its own file name) never stops the others;
 * "active" only on the provider's own JSON answer; replies are capped while streaming.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditWriteError, executePlan, HttpClient, parseEndpoints, planRevocation, verifySecret, type AuditEntry, type AuditLog } from '@tokenward/revoke';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { FakeProvider, FAKES } from './fake-providers.js';
import { findingFor, repoRules, rule, TOKEN_MAKERS } from './helpers.js';

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function fake(make: () => FakeProvider): Promise<FakeProvider> {
  const f = await make().start();
  started.push(f);
  return f;
}

const env = () => ({ XDG_CONFIG_HOME: testTree() });
const auditOf = (dir: string) => readFileSync(join(dir, '.tokenward/audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);

/** A GitLab that answers 204 to the revocation and goes on accepting the token. */
const gitlabThatForgets = () => {
  const real = FAKES.gitlab();
  return new FakeProvider('gitlab', (r, p) => (r.method === 'DELETE' ? { status: 204 } : (real as unknown as { handler: (r: unknown, p: FakeProvider) => unknown }).handler(r, p) as never));
};

describe('a revocation the provider does not carry out', () => {
  it('is a failure: exit 1, "revoke-unconfirmed" in the audit log, the manual steps printed', async () => {
    const gl = await fake(gitlabThatForgets);
    const token = TOKEN_MAKERS['gitlab-pat-legacy']!();
    gl.add(token);
    const dir = testTree({ 'ci.env': `GITLAB_TOKEN=${token}\n` });
    const r = await runCli(['revoke', '--yes', '--endpoint', `gitlab=${gl.origin}`, '.'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT CONFIRMED GitLab: .* accepted the revocation \(HTTP 204\) but the token still works/);
    expect(r.stdout).toMatch(/Revoke it by hand: GitLab > Edit profile > Access tokens > Revoke/);
    expect(r.stdout).toMatch(/0 revoked, 1 not confirmed \(still active\), 0 failed/);
    expect(auditOf(dir).map((l) => [l.outcome, l.verify])).toEqual([
      ['attempt', undefined],
      ['revoke-unconfirmed', 'active'],
    ]);
  });

  it('after 202 Accepted the check is repeated before calling it unconfirmed (asynchronous revocation)', async () => {
    // GitHub revokes asynchronously: the token stops working only after the first check.
    let checks = 0;
    const gh = await fake(() => {
      const real = FAKES.github();
      const handler = (real as unknown as { handler: (r: { method: string; path: string }, p: FakeProvider) => unknown }).handler;
      const pending: string[] = [];
      return new FakeProvider('github', (r, p) => {
        if (r.method === 'POST' && r.path === '/credentials/revoke') {
          pending.push(...(JSON.parse(r.body).credentials as string[]));
          return { status: 202, body: {} };
        }
        if (r.path === '/user' && ++checks === 2) for (const t of pending) p.revoke(t);
        return handler(r, p) as never;
      });
    });
    const token = githubToken();
    gh.add(token);
    const endpoints = parseEndpoints([`github=${gh.origin}`]);
    const plan = planRevocation([findingFor(rule('github-pat-classic'), token)], repoRules(), { endpoints });
    const waits: number[] = [];
    const [result] = await executePlan(plan, { endpoints, confirmDelaysMs: [5, 5], sleep: async (ms) => void waits.push(ms) });
    expect(result).toMatchObject({ outcome: 'revoked', status: 202, verifiedAfter: 'inactive' });
    expect(waits).toEqual([5]);
  });
});

describe('records are never lost', () => {
  it('an audit log that cannot take a line (/dev/full): nothing is revoked, the result says why, exit 1', async () => {
    const gh = await fake(FAKES.github);
    const token = githubToken();
    gh.add(token);
    const dir = testTree({ 'a.env': `T=${token}\n` });
    const r = await runCli(['revoke', '--yes', '--audit', '/dev/full', '--endpoint', `github=${gh.origin}`, '.'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/NOT SENT .*not revoked: no audit record could be written first \(cannot write the audit log \/dev\/full: ENOSPC\)/);
    expect(r.stdout).toMatch(/Revoke it by hand: GitHub > Settings/);
    expect(gh.requests.filter((q) => q.method !== 'GET')).toHaveLength(0);
    expect(gh.isActive(token)).toBe(true);
  });

  it('an audit log that cannot be opened (its folder is a file): exit 2, nothing sent', async () => {
    const gh = await fake(FAKES.github);
    const token = githubToken();
    gh.add(token);
    const dir = testTree({ 'a.env': `T=${token}\n`, 'logs': 'a file, not a folder' });
    const r = await runCli(['revoke', '--yes', '--audit', 'logs/audit.jsonl', '--endpoint', `github=${gh.origin}`, '.'], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the audit log .*logs\/audit\.jsonl: (ENOTDIR|EEXIST)/);
    expect(gh.requests).toHaveLength(0);
  });

  it('a log that fails mid-run: the results are still returned, the action already taken is reported, no further provider is called', async () => {
    const gl = await fake(FAKES.gitlab);
    const [a, b] = [TOKEN_MAKERS['gitlab-pat-legacy']!(), TOKEN_MAKERS['gitlab-pat-legacy']!()];
    gl.add(a).add(b);
    const lines: AuditEntry[] = [];
    // Takes the first attempt line, then the disk is full.
    const audit: AuditLog = {
      path: '/virtual/audit.jsonl',
      check() {},
      write(entry) {
        if (lines.length >= 1) throw new AuditWriteError('cannot write the audit log /virtual/audit.jsonl: ENOSPC');
        lines.push(entry);
      },
    };
    const endpoints = parseEndpoints([`gitlab=${gl.origin}`]);
    const plan = planRevocation([findingFor(rule('gitlab-pat-legacy'), a, 'a.env'), findingFor(rule('gitlab-pat-legacy'), b, 'b.env')], repoRules(), { endpoints });
    const results = await executePlan(plan, { endpoints, audit, verifyAfter: false });
    expect(results.map((r) => r.outcome)).toEqual(['revoked', 'not-attempted']);
    expect(results[0]!.auditError).toMatch(/ENOSPC/);
    expect(results[1]!.error).toMatch(/not revoked: no audit record could be written first/);
    expect(gl.isActive(a)).toBe(false);
    expect(gl.isActive(b)).toBe(true);
    expect(gl.requests.filter((q) => q.method === 'DELETE')).toHaveLength(1);
  });

  it('a secret in its own file name does not stop the run: both tokens revoked, the record and output redact it', async () => {
    const gh = await fake(FAKES.github);
    const named = githubToken();
    const other = githubToken();
    gh.add(named).add(other);
    const dir = testTree({ [`leaked-${named}.txt`]: `token: ${named}\n`, 'b.env': `T=${other}\n` });
    const r = await runCli(['revoke', '--yes', '--endpoint', `github=${gh.origin}`, '.'], { cwd: dir, env: env() });
    expect(r.stderr).not.toMatch(/refused to write/);
    expect(r.code).toBe(0);
    expect(gh.isActive(named)).toBe(false);
    expect(gh.isActive(other)).toBe(false);
    const log = readFileSync(join(dir, '.tokenward/audit.jsonl'), 'utf8');
    expect(log).not.toContain(named);
    expect(log).toMatch(/"location":"leaked-\*{4}…\w{4}\.txt:1"/);
    expect(r.stdout).not.toContain(named);
  });

  it('one failure never stops the others', async () => {
    const gl = await fake(FAKES.gitlab);
    const [a, b] = [TOKEN_MAKERS['gitlab-pat-legacy']!(), TOKEN_MAKERS['gitlab-pat-legacy']!()];
    gl.add(a).add(b).failNext({ kind: 'status', status: 500 });
    const dir = testTree({ 'a.env': `A=${a}\n`, 'b.env': `B=${b}\n` });
    const r = await runCli(['revoke', '--yes', '--no-verify', '--endpoint', `gitlab=${gl.origin}`, '.'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 revoked, 1 failed/);
    expect([gl.isActive(a), gl.isActive(b)].sort()).toEqual([false, true]);
  });
});

describe('"active" only on the provider\'s own answer', () => {
  async function answering(contentType: string, body: string) {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': contentType }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    started.push({ stop: () => new Promise<void>((r) => server.close(() => r())) });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return verifySecret(rule('github-pat-classic'), githubToken(), { endpoints: parseEndpoints([`github=${origin}`]), http: new HttpClient({ timeoutMs: 3000 }) });
  }

  it('a 200 login page (HTML) is unknown', async () => {
    const r = await answering('text/html; charset=utf-8', '<html><body>Sign in to continue</body></html>');
    expect(r).toMatchObject({ status: 'unknown', httpStatus: 200 });
    expect(r.detail).toMatch(/HTML page/);
  });

  it('a 200 that is not JSON (a proxy saying OK) is unknown', async () => {
    const r = await answering('text/plain', 'OK');
    expect(r).toMatchObject({ status: 'unknown', httpStatus: 200 });
    expect(r.detail).toMatch(/not a JSON answer/);
  });
});

describe('replies are capped while they stream', () => {
  it('an endless reply is cut after the cap: the check ends at once and little more than the cap was read', async () => {
    let sent = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = () => {
        while (!closed && res.write(chunk)) sent += chunk.length;
        if (!closed) res.once('drain', pump);
      };
      res.on('close', () => (closed = true));
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    started.push({ stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t0 = Date.now();
    const r = await verifySecret(rule('github-pat-classic'), githubToken(), { endpoints: parseEndpoints([`github=${origin}`]), http: new HttpClient({ timeoutMs: 10_000 }) });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.status).toBe('unknown');
    // The cap is 4 MB; socket buffers add a few MB at most. Without a cap this runs to the timeout.
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('every failure shows the manual steps', () => {
  it('a refused revocation (npm list without this token) prints the rule\'s steps and link', async () => {
    const np = await fake(FAKES.npm);
    // A checksum-valid npm token, so the scan finds it.
    const token = githubToken('npm_');
    np.add(token);
    np.listing = [];
    const dir = testTree({ '.npmrc': `//registry.npmjs.org/:_authToken=${token}\n` });
    const r = await runCli(['revoke', '--yes', '--no-verify', '--endpoint', `npm=${np.origin}`, '.'], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED .*no entry of the provider's list matches this token/);
    expect(r.stdout).toMatch(/Revoke it by hand: npmjs\.com > Avatar > Access Tokens/);
    expect(r.stdout).toContain('https://docs.npmjs.com/revoking-access-tokens');
  });
});
