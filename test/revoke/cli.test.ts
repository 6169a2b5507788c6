/** `tokenward revoke` / `verify` / `scan --verify|--revoke-policy` as a user runs them: the built bin, real files, stand-in servers. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { FAKES, type FakeProvider } from './fake-providers.js';
import { TOKEN_MAKERS } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
/** Every run gets an empty user configuration folder: a developer's own ~/.config never leaks into a test. */
let userConfig = '';
const run = (args: string[], o: Parameters<typeof runCli>[1] = {}) => runCli(args, { ...o, env: { XDG_CONFIG_HOME: userConfig, ...o.env } });
beforeEach(() => {
  userConfig = tree({});
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(name: keyof typeof FAKES): Promise<FakeProvider> {
  const f = await FAKES[name]().start();
  cleanups.push(() => f.stop());
  return f;
}

function tree(files: Record<string, string>) {
  const t = tempTree(files);
  cleanups.push(t.cleanup);
  return t.dir;
}

const audit = (dir: string) => readFileSync(join(dir, '.tokenward/audit.jsonl'), 'utf8');
const allAuditLines = (dir: string) => audit(dir).trim().split('\n').map((l) => JSON.parse(l));
/** Completed records; each API call is preceded by an `attempt` line (checked in safety.test.ts). */
const auditLines = (dir: string) => allAuditLines(dir).filter((l) => l.outcome !== 'attempt');

describe('tokenward revoke', () => {
  it('without --yes prints the plan, calls nothing, audits "planned", exit 0', async () => {
    const gh = await start('github');
    const gl = await start('gitlab');
    const pat = githubToken();
    const glpat = TOKEN_MAKERS['gitlab-pat-legacy']!();
    gh.add(pat);
    gl.add(glpat);
    const dir = tree({ 'config.env': `GITHUB_TOKEN=${pat}\nGITLAB_TOKEN=${glpat}\n` });
    const r = await run(['revoke', '--endpoint', `github=${gh.origin}`, '--endpoint', `gitlab=${gl.origin}`, '--no-config'], { cwd: dir });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing has been called yet/);
    expect(r.stdout).toContain(`POST ${new URL(gh.origin).host}/credentials/revoke`);
    expect(r.stdout).toContain(`DELETE ${new URL(gl.origin).host}/api/v4/personal_access_tokens/self`);
    expect(r.stdout).toMatch(/IRREVERSIBLE/);
    expect(r.stdout).toMatch(/--yes/);
    expect(gh.requests).toHaveLength(0);
    expect(gl.requests).toHaveLength(0);
    expect(auditLines(dir).map((l) => l.outcome)).toEqual(['planned', 'planned']);
    for (const out of [r.stdout, r.stderr, audit(dir)]) {
      expect(out).not.toContain(pat);
      expect(out).not.toContain(glpat);
    }
  });

  it('with --yes revokes through the APIs, checks again, audits each action without the secret, exit 0', async () => {
    const gh = await start('github');
    const gl = await start('gitlab');
    const pat = githubToken();
    const glpat = TOKEN_MAKERS['gitlab-pat-legacy']!();
    gh.add(pat);
    gl.add(glpat);
    const dir = tree({ 'a.env': `GITHUB_TOKEN=${pat}\n`, 'b/c.txt': `again ${pat} and ${glpat}\n` });
    const r = await run(['revoke', '--yes', '--endpoint', `github=${gh.origin}`, '--endpoint', `gitlab=${gl.origin}`, '--no-config'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 revoked, 0 failed/);
    expect(gh.isActive(pat)).toBe(false);
    expect(gl.isActive(glpat)).toBe(false);
    // The same secret in two files is revoked once.
    expect(gh.requests.filter((q) => q.path === '/credentials/revoke')).toHaveLength(1);
    const lines = auditLines(dir);
    expect(lines.map((l) => [l.provider, l.outcome, l.verify])).toEqual(
      expect.arrayContaining([
        ['GitHub', 'revoked', 'inactive'],
        ['GitLab', 'revoked', 'inactive'],
      ]),
    );
    expect(lines.find((l) => l.provider === 'GitHub')).toMatchObject({ status: 202, endpoint: new URL(gh.origin).host, occurrences: 2 });
    for (const out of [r.stdout, r.stderr, audit(dir)]) {
      expect(out).not.toContain(pat);
      expect(out).not.toContain(glpat);
    }
  });

  it('--token - reads the token from standard input', async () => {
    const gh = await start('github');
    const pat = githubToken();
    gh.add(pat);
    const dir = tree({});
    const r = await run(['revoke', '--token', '-', '--yes', '--endpoint', `github=${gh.origin}`, '--no-config'], { cwd: dir, input: `${pat}\n` });
    expect(r.code).toBe(0);
    expect(gh.isActive(pat)).toBe(false);
    expect(auditLines(dir)[0]).toMatchObject({ rule: 'github-pat-classic', outcome: 'revoked', location: '<stdin>:1' });
  });

  it('refuses a token given on the command line (exit 2), and calls nothing', async () => {
    const gh = await start('github');
    const pat = githubToken();
    const r = await run(['revoke', '--token', pat, '--yes', '--endpoint', `github=${gh.origin}`, '--no-config'], { cwd: tree({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/standard input/);
    expect(gh.requests).toHaveLength(0);
  });

  it('exit 2 for a token no rule recognises, and for an unknown --rule', async () => {
    const a = await run(['revoke', '--token', '-', '--no-config'], { cwd: tree({}), input: 'not-a-token-at-all' });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/no rule recognises/);
    const b = await run(['revoke', '--token', '-', '--rule', 'no-such-rule', '--no-config'], { cwd: tree({}), input: githubToken() });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown rule "no-such-rule"/);
  });

  it('exit 1 when a revocation fails (provider 500), with the failure shown, audited and the manual steps printed', async () => {
    const gl = await start('gitlab');
    const glpat = TOKEN_MAKERS['gitlab-pat-legacy']!();
    // --no-verify: the first request is the revocation itself.
    gl.add(glpat).failNext({ kind: 'status', status: 500 });
    const dir = tree({});
    const r = await run(['revoke', '--token', '-', '--yes', '--no-verify', '--endpoint', `gitlab=${gl.origin}`, '--no-config'], { cwd: dir, input: glpat });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED.*HTTP 500/);
    expect(r.stdout).toMatch(/Revoke it by hand: GitLab > Edit profile > Access tokens > Revoke/);
    expect(r.stdout).toContain('https://docs.gitlab.com/user/profile/personal_access_tokens/#revoke-or-rotate-a-personal-access-token');
    expect(auditLines(dir)[0]).toMatchObject({ outcome: 'failed', status: 500 });
    expect(gl.isActive(glpat)).toBe(true);
  });

  it('--rule names the provider of a bare token; providers without an API get exact manual steps', async () => {
    const dir = tree({});
    const r = await run(['revoke', '--token', '-', '--rule', 'wise-personal-api-token', '--yes', '--no-config'], { cwd: dir, input: '0f3c2a4e-1b2c-4d5e-8f90-123456789abc' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Your Account > Integrations and Tools > API tokens/);
    expect(auditLines(dir)[0]).toMatchObject({ rule: 'wise-personal-api-token', outcome: 'manual-steps-shown' });
  });

  it('does not touch what scan would not report (inline tokenward:allow)', async () => {
    const gh = await start('github');
    const kept = githubToken();
    const allowed = githubToken();
    gh.add(kept).add(allowed);
    const dir = tree({ 'a.env': `A=${kept}\nB=${allowed} # tokenward:allow test fixture\n` });
    const r = await run(['revoke', '--yes', '--endpoint', `github=${gh.origin}`, '--no-config'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(gh.isActive(kept)).toBe(false);
    expect(gh.isActive(allowed)).toBe(true);
  });

  it('--audit FILE writes the log there', async () => {
    const dir = tree({ 'x.txt': githubToken() });
    const r = await run(['revoke', '--audit', 'logs/revocations.jsonl', '--no-config'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'logs/revocations.jsonl'))).toBe(true);
    expect(existsSync(join(dir, '.tokenward/audit.jsonl'))).toBe(false);
  });
});

describe('tokenward verify', () => {
  it('active → exit 1; after revocation inactive → exit 0 (not answered from a stale cache)', async () => {
    const gh = await start('github');
    const pat = githubToken();
    gh.add(pat);
    const dir = tree({});
    const args = ['--token', '-', '--yes', '--endpoint', `github=${gh.origin}`, '--no-config'];
    const a = await run(['verify', ...args], { cwd: dir, input: pat });
    expect(a.stdout).toMatch(/^active/m);
    expect(a.code).toBe(1);
    const rev = await run(['revoke', '--yes', ...args], { cwd: dir, input: pat });
    expect(rev.code).toBe(0);
    const b = await run(['verify', ...args], { cwd: dir, input: pat });
    expect(b.stdout).toMatch(/^inactive/m);
    expect(b.code).toBe(0);
    expect(readFileSync(join(dir, '.tokenward/verify-cache.json'), 'utf8')).not.toContain(pat);
  });
});

describe('scan --verify', () => {
  it('checks each unique found secret once (read-only) and puts the answer in the JSON report as "verified"', async () => {
    const gh = await start('github');
    const live = githubToken();
    const dead = githubToken();
    gh.add(live).add(dead, false);
    const dir = tree({
      'a.env': `A=${live}\nB=${dead}\n`,
      'b.env': `A=${live}\n`,
    });
    const r = await run(['scan', '--verify', '--yes', '--no-access', '--endpoint', `github=${gh.origin}`, '--format', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as { redacted: string; verified: string; verification: { httpStatus: number; checkedAt: string; host: string } }[];
    expect(findings).toHaveLength(3);
    const of = (s: string) => findings.filter((f) => f.redacted.endsWith(s.slice(-4)));
    expect(of(live).map((f) => f.verified)).toEqual(['active', 'active']);
    expect(of(dead).map((f) => f.verified)).toEqual(['inactive']);
    expect(of(live)[0]!.verification).toMatchObject({ httpStatus: 200, host: new URL(gh.origin).host });
    expect(Date.parse(of(live)[0]!.verification.checkedAt)).not.toBeNaN();
    expect(gh.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /user', 'GET /user']);
    expect(r.stdout + r.stderr).not.toContain(live);
    const plain = await run(['scan', '--format', 'json', '.'], { cwd: dir });
    expect(plain.code).toBe(1);
    expect(JSON.parse(plain.stdout).findings[0].verified).toBeUndefined();
    expect(gh.requests).toHaveLength(2);
  });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
}

describe('scan --history --revoke-policy (CI)', () => {
  it('revokes only pushed findings of allow-listed rules; plans the rest; audit log is written', async () => {
    const gh = await start('github');
    const gl = await start('gitlab');
    const pushed = githubToken();
    const unpushed = githubToken();
    const notListed = TOKEN_MAKERS['gitlab-pat-legacy']!();
    gh.add(pushed).add(unpushed);
    gl.add(notListed);
    const remote = tree({});
    git(remote, 'init', '-q', '--bare');
    const dir = tree({
      '.tokenward.yml': `revoke:\n  auto: [github-pat-classic]\n  endpoints:\n    github: ${gh.origin}\n    gitlab: ${gl.origin}\n`,
    });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.tokenward.yml');
    git(dir, 'commit', '-q', '-m', 'config');
    require_write(join(dir, 'a.env'), `TOKEN=${pushed}\nGL=${notListed}\n`);
    git(dir, 'add', 'a.env');
    git(dir, 'commit', '-q', '-m', 'pushed secret');
    git(dir, 'remote', 'add', 'origin', remote);
    git(dir, 'push', '-q', 'origin', 'main');
    require_write(join(dir, 'b.env'), `TOKEN=${unpushed}\n`);
    git(dir, 'add', 'b.env');
    git(dir, 'commit', '-q', '-m', 'local secret');

    // The repository's own config chooses endpoints only once trusted (a CI job runs tokenward trust).
    expect((await run(['trust'], { cwd: dir })).code).toBe(0);
    // --threads 1: this test is about the policy, not the history scan's worker pool.
    const r = await run(['scan', '--history', '--threads', '1', '--revoke-policy', '--format', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(gh.isActive(pushed)).toBe(false);
    expect(gh.isActive(unpushed)).toBe(true);
    expect(gl.isActive(notListed)).toBe(true);
    expect(gl.requests).toHaveLength(0);
    const lines = auditLines(dir);
    const outcome = (redactedEnd: string) => lines.find((l) => l.redacted.endsWith(redactedEnd))?.outcome;
    expect(outcome(pushed.slice(-4))).toBe('revoked');
    expect(outcome(unpushed.slice(-4))).toBe('planned');
    expect(outcome(notListed.slice(-4))).toBe('planned');
    for (const s of [pushed, unpushed, notListed]) {
      expect(audit(dir)).not.toContain(s);
      expect(r.stderr).not.toContain(s);
    }
  });
});

function require_write(path: string, text: string): void {
  // Written through git-tracked files only; small helper keeps the test readable.
  execFileSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(path)}, ${JSON.stringify(text)})`]);
}
