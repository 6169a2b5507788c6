/**
 * The access map: for a token its provider accepts, who it belongs to and what it reaches, read
 * from the rules' `verify.access` data against stand-ins that answer as each provider documents.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, parseEndpoints, verifySecret, type AccessMap } from '@tokenward/revoke';
import { FAKES, githubRepo, gitlabProject, type FakeProvider } from './fake-providers.js';
import { rule, TOKEN_MAKERS } from './helpers.js';

const started: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function standIn(name: keyof typeof FAKES): Promise<FakeProvider> {
  const f = await FAKES[name]().start();
  started.push(f);
  return f;
}

/** Verifies `secret` with `ruleId` against the stand-in; returns the answer. */
async function check(server: FakeProvider, ruleId: string, secret: string) {
  const def = rule(ruleId);
  return verifySecret(def, secret, { endpoints: parseEndpoints([`${def.provider}=${server.origin}`]), http: new HttpClient({ timeoutMs: 5000 }) });
}

const fact = (map: AccessMap | undefined, name: string) => map?.facts.find((f) => f.name === name);

describe('GitHub', () => {
  it('classic token: account, scopes, expiry, and "can write to 14 repositories of acme" across pages', async () => {
    const gh = await standIn('github');
    const token = TOKEN_MAKERS['github-pat-classic']!();
    gh.add(token);
    gh.account = { login: 'octocat', scopes: 'repo, read:org, workflow', expires: '2026-03-01 12:00:00 UTC' };
    // 14 writable in acme, 3 admin among them; 106 read-only elsewhere: 120 repositories, two pages of 100.
    gh.listing = [
      ...Array.from({ length: 14 }, (_, i) => githubRepo('acme', `svc-${i}`, { push: true, admin: i < 3 })),
      ...Array.from({ length: 106 }, (_, i) => githubRepo(i % 2 ? 'octocat' : 'other-org', `lib-${i}`)),
    ];
    const r = await check(gh, 'github-pat-classic', token);
    expect(r.status).toBe('active');
    expect(fact(r.access, 'account')?.text).toBe('octocat');
    expect(fact(r.access, 'scopes')?.value).toEqual(['repo', 'read:org', 'workflow']);
    expect(fact(r.access, 'expires')?.text).toBe('2026-03-01 12:00:00 UTC');
    expect(fact(r.access, 'writable')).toMatchObject({ count: 14, text: '14 repositories of acme', groups: [{ name: 'acme', count: 14 }] });
    expect(fact(r.access, 'admin')?.text).toBe('3 repositories of acme');
    expect(fact(r.access, 'repositories')?.text).toBe('120 repositories of octocat (53), other-org (53), acme (14)');
    expect(r.access?.summary).toContain('can write to 14 repositories of acme');
    expect(gh.requests.map((q) => q.path)).toEqual(['/user', '/user/repos?per_page=100&sort=pushed', '/user/repos?per_page=100&sort=pushed&page=2']);
  });

  it('stops after the declared number of pages and says the count is a lower bound', async () => {
    const gh = await standIn('github');
    const token = TOKEN_MAKERS['github-pat-classic']!();
    gh.add(token);
    gh.listing = Array.from({ length: 650 }, (_, i) => githubRepo('acme', `r${i}`, { push: true }));
    const r = await check(gh, 'github-pat-classic', token);
    expect(fact(r.access, 'writable')).toMatchObject({ count: 500, truncated: true, text: '500+ repositories of acme' });
    expect(gh.requests.filter((q) => q.path.startsWith('/user/repos'))).toHaveLength(5);
  });

  it('fine-grained token: no scopes header, the repositories it was granted', async () => {
    const gh = await standIn('github');
    const token = TOKEN_MAKERS['github-fine-grained-pat']!();
    gh.add(token);
    gh.listing = [githubRepo('acme', 'api', { push: true }), githubRepo('acme', 'web')];
    const r = await check(gh, 'github-fine-grained-pat', token);
    expect(fact(r.access, 'scopes')).toBeUndefined();
    expect(fact(r.access, 'repositories')?.text).toBe('2 repositories of acme');
    expect(fact(r.access, 'writable')?.text).toBe('1 repository of acme');
  });

  it('installation token: the repositories of the installation', async () => {
    const gh = await standIn('github');
    const token = TOKEN_MAKERS['github-app-installation-token']!();
    gh.add(token);
    gh.listing = [githubRepo('acme', 'api'), githubRepo('acme', 'web'), githubRepo('acme', 'ops')];
    const r = await check(gh, 'github-app-installation-token', token);
    expect(r.status).toBe('active');
    expect(fact(r.access, 'repositories')?.text).toBe('3 repositories of acme');
  });

  it('an inactive token costs one request and has no access map', async () => {
    const gh = await standIn('github');
    const r = await check(gh, 'github-pat-classic', TOKEN_MAKERS['github-pat-classic']!());
    expect(r.status).toBe('inactive');
    expect(r.access).toBeUndefined();
    expect(gh.requests).toHaveLength(1);
  });
});

describe('GitLab', () => {
  it('token name, scopes, expiry, account and the projects it can push to', async () => {
    const gl = await standIn('gitlab');
    const token = TOKEN_MAKERS['gitlab-pat-routable']!();
    gl.add(token);
    gl.account = { username: 'jdoe', tokenName: 'deploy-bot', scopes: ['api', 'write_repository'], expiresAt: '2026-06-30' };
    gl.listing = [gitlabProject('acme/platform', 'api', 40), gitlabProject('acme/platform', 'web', 30), gitlabProject('acme/infra', 'tf', 30), gitlabProject('jdoe', 'notes', 20)];
    const r = await check(gl, 'gitlab-pat-routable', token);
    expect(r.status).toBe('active');
    expect(r.access?.facts.map((f) => [f.label, f.text])).toEqual([
      ['token name', 'deploy-bot'],
      ['scopes', 'api, write_repository'],
      ['expires', '2026-06-30'],
      ['last used', '2025-06-01T08:00:00.000Z'],
      ['account', 'jdoe'],
      ['instance administrator', 'no'],
      ['Developer or higher in', '3 projects of acme/platform (2), acme/infra (1)'],
    ]);
  });

  it('a call the token may not make (403 insufficient_scope) costs only its own facts', async () => {
    const gl = await standIn('gitlab');
    const token = TOKEN_MAKERS['gitlab-pat-legacy']!();
    gl.add(token);
    gl.account = { scopes: ['read_registry'] };
    const r = await check(gl, 'gitlab-pat-legacy', token);
    expect(r.status).toBe('active');
    expect(fact(r.access, 'scopes')?.text).toBe('read_registry');
    expect(fact(r.access, 'account')).toBeUndefined();
    expect(r.access?.problems).toEqual(['GET /api/v4/user answered 403', 'GET /api/v4/projects answered 403']);
  });
});

describe('Slack', () => {
  it('auth.test: workspace, user, bot, and the x-oauth-scopes header', async () => {
    const sl = await standIn('slack');
    const token = TOKEN_MAKERS['slack-bot-token']!();
    sl.add(token);
    sl.account = { team: 'Acme Corp', user: 'deploybot', scopes: 'chat:write,channels:history,files:read' };
    const r = await check(sl, 'slack-bot-token', token);
    expect(r.status).toBe('active');
    expect(r.access?.summary).toBe('workspace Acme Corp; workspace URL https://subarachnoid.slack.com/; user deploybot; bot id B0123ABCD; scopes chat:write, channels:history, files:read');
  });
});

describe('npm', () => {
  it('whoami and, from the token list, this token\'s own flags', async () => {
    const np = await standIn('npm');
    const token = TOKEN_MAKERS['npm-access-token']!();
    const other = TOKEN_MAKERS['npm-access-token']!();
    np.add(token).add(other);
    np.account = { username: 'acme-release' };
    np.listing = [
      { key: 'k1', token: `${other.slice(0, 8)}...${other.slice(-4)}`, readonly: true, full: other },
      { key: 'k2', token: `${token.slice(0, 8)}...${token.slice(-4)}`, readonly: false, automation: true, cidr_whitelist: ['10.0.0.0/8'], full: token },
    ];
    const r = await check(np, 'npm-access-token', token);
    expect(r.access?.facts.map((f) => `${f.label} ${f.text}`)).toEqual(['account acme-release', 'token read and publish', 'automation (skips 2FA) yes', 'allowed from 10.0.0.0/8']);
  });
});

describe('Hugging Face', () => {
  it('whoami-v2: account, token name and role, organizations', async () => {
    const hf = await standIn('huggingface');
    const token = TOKEN_MAKERS['huggingface-token']!();
    hf.add(token);
    hf.account = { name: 'jdoe', tokenName: 'ci-upload', role: 'write', orgs: ['acme', 'acme-research'] };
    const r = await check(hf, 'huggingface-token', token);
    expect(r.access?.summary).toBe('account jdoe; kind user; token name ci-upload; token role write; member of 2 organizations (acme, acme-research)');
  });
});

describe('Stripe and Wise', () => {
  it('Stripe: the account behind a live key', async () => {
    const st = await standIn('stripe');
    const key = `sk_live_${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4'}`;
    st.add(key);
    const r = await check(st, 'stripe-live-secret-key', key);
    expect(r.status).toBe('active');
    expect(r.access?.summary).toBe('account acct_1Nv0FGQ9RKHgCVdK; name Acme; email billing@acme.example; country US; can take charges yes; mode live');
  });

  it('Wise: GET /v1/profiles with the personal token as Bearer, and the profiles it reaches', async () => {
    const wi = await standIn('wise');
    const token = '0f3c2a4e-1b2c-4d5e-8f90-123456789abc';
    wi.add(token);
    const r = await check(wi, 'wise-personal-api-token', token);
    expect(r.status).toBe('active');
    expect(wi.requests[0]).toMatchObject({ method: 'GET', path: '/v1/profiles' });
    expect(wi.requests[0]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(r.access?.summary).toBe('has 2 profiles (personal, business); business ABC Logistics Ltd');
  });
});

describe('facts are provider data, never the secret', () => {
  it('an echoed token is redacted and terminal control characters are removed', async () => {
    const gh = await standIn('github');
    const token = TOKEN_MAKERS['github-pat-classic']!();
    gh.add(token);
    gh.account = { login: `evil\u001b[31m${token}\u0007` };
    const r = await check(gh, 'github-pat-classic', token);
    const text = JSON.stringify(r);
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/\\u001b|\\u0007/);
    expect(fact(r.access, 'account')?.text).toMatch(/^evil \[31m\*{4}…/);
  });
});
