/**
 * Nothing is sent without consent: on a terminal the hosts are listed and the user asked before
 * the first request (revocation asks again, even with --yes); without a terminal --yes is
 * required. --provider / --rule narrow what is contacted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { FAKES, type FakeProvider } from './fake-providers.js';
import { TOKEN_MAKERS } from './helpers.js';
import { runInTerminal } from './terminal.js';

const started: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function fake(name: keyof typeof FAKES): Promise<FakeProvider> {
  const f = await FAKES[name]().start();
  started.push(f);
  return f;
}

async function twoProviders() {
  const gh = await fake('github');
  const gl = await fake('gitlab');
  const ghToken = githubToken();
  const glToken = TOKEN_MAKERS['gitlab-pat-legacy']!();
  gh.add(ghToken);
  gl.add(glToken);
  const dir = testTree({ 'a.env': `GITHUB_TOKEN=${ghToken}\nGITLAB_TOKEN=${glToken}\n` });
  const args = ['--endpoint', `github=${gh.origin}`, '--endpoint', `gitlab=${gl.origin}`];
  return { gh, gl, ghToken, glToken, dir, args, env: { XDG_CONFIG_HOME: testTree() } };
}

describe('without a terminal', () => {
  it('verify needs --yes: exit 2 listing the hosts, nothing sent', async () => {
    const { gh, gl, dir, args, env } = await twoProviders();
    const r = await runCli(['verify', ...args, '.'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/verify: would send found tokens to:/);
    expect(r.stderr).toContain(`${new URL(gh.origin).host}  check 1 token  (override github=${gh.origin} from --endpoint, instead of api.github.com)`);
    expect(r.stderr).toMatch(/add --yes to confirm/);
    expect(gh.requests.length + gl.requests.length).toBe(0);
  });

  it('scan --verify needs --yes too', async () => {
    const { gh, dir, args, env } = await twoProviders();
    const r = await runCli(['scan', '--verify', ...args, '.'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(gh.requests).toHaveLength(0);
  });
});

describe('--provider and --rule', () => {
  it('verify --provider gitlab contacts only GitLab', async () => {
    const { gh, gl, dir, args, env } = await twoProviders();
    const r = await runCli(['verify', '--yes', '--provider', 'gitlab', ...args, '.'], { cwd: dir, env });
    expect(r.stdout).toMatch(/^active +GitLab/m);
    expect(r.stdout).not.toMatch(/GitHub/);
    expect(gh.requests).toHaveLength(0);
    expect(gl.requests.length).toBeGreaterThan(0);
  });

  it('revoke --rule github-pat-classic revokes only that token', async () => {
    const { gh, gl, ghToken, glToken, dir, args, env } = await twoProviders();
    const r = await runCli(['revoke', '--yes', '--rule', 'github-pat-classic', ...args, '.'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(gh.isActive(ghToken)).toBe(false);
    expect(gl.isActive(glToken)).toBe(true);
    expect(gl.requests).toHaveLength(0);
  });

  it('an unknown provider or rule is exit 2 naming the known ones', async () => {
    const { dir, args, env } = await twoProviders();
    const p = await runCli(['verify', '--yes', '--provider', 'githib', ...args, '.'], { cwd: dir, env });
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/--provider: unknown provider "githib" \(known: .*GitHub.*GitLab/);
    const r = await runCli(['revoke', '--rule', 'github-pat', ...args, '.'], { cwd: dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--rule: unknown rule "github-pat"/);
  });
});

describe('on a terminal', () => {
  it('verify lists the hosts and asks first; "n" sends nothing, "y" sends', async () => {
    const { gh, gl, dir, args, env } = await twoProviders();
    const no = await runInTerminal(['verify', ...args, '.'], { cwd: dir, env, answers: ['n'] });
    expect(no.output).toMatch(/verify: these hosts will receive found tokens:/);
    expect(no.output).toContain(new URL(gl.origin).host);
    expect(no.prompts).toEqual(['Send them (read-only checks)?']);
    expect(no.output).toMatch(/Nothing was sent/);
    expect(gh.requests.length + gl.requests.length).toBe(0);
    const yes = await runInTerminal(['verify', '--no-access', ...args, '.'], { cwd: dir, env, answers: ['y'] });
    expect(yes.code).toBe(1);
    expect(yes.output).toMatch(/2 active, 0 inactive, 0 unknown/);
  });

  it('revoke asks before revoking even with --yes, after showing what the token reaches', async () => {
    const { gh, ghToken, dir, env } = await twoProviders();
    gh.account = { login: 'octocat' };
    const args = ['revoke', '--yes', '--rule', 'github-pat-classic', '--endpoint', `github=${gh.origin}`, '.'];
    const no = await runInTerminal(args, { cwd: dir, env, answers: ['n'] });
    expect(no.prompts).toEqual(['Revoke 1 token now? This cannot be undone.']);
    expect(no.output).toMatch(/this token reaches: account octocat/);
    expect(no.output).toMatch(/Nothing was revoked/);
    expect(gh.isActive(ghToken)).toBe(true);
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(0);
    const yes = await runInTerminal(args, { cwd: dir, env, answers: ['y'] });
    expect(yes.code).toBe(0);
    expect(gh.isActive(ghToken)).toBe(false);
  });
});
