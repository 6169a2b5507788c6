/** Failures are recorded and shown, never swallowed; requests stay on the rule's host. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auditPlan,
  checkRuleSpecs,
  createAuditLog,
  EndpointError,
  createVerifyCache,
  executePlan,
  HttpClient,
  parseEndpoints,
  planRevocation,
  renderPlan,
  retryAfterMs,
  verifyFindings,
} from '@tokenward/revoke';
import { FAKES, type FakeProvider } from './fake-providers.js';
import { findingFor, repoRules, rule, TOKEN_MAKERS } from './helpers.js';

const started: FakeProvider[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function gitlab(): Promise<{ server: FakeProvider; secret: string; endpoints: ReturnType<typeof parseEndpoints> }> {
  const server = await FAKES.gitlab().start();
  started.push(server);
  const secret = TOKEN_MAKERS['gitlab-pat-legacy']!();
  server.add(secret);
  return { server, secret, endpoints: parseEndpoints([`gitlab=${server.origin}`]) };
}

const revokeOnce = async (secret: string, endpoints: ReturnType<typeof parseEndpoints>, http = new HttpClient({ timeoutMs: 2000 })) =>
  (await executePlan(planRevocation([findingFor(rule('gitlab-pat-legacy'), secret)], repoRules(), { endpoints }), { endpoints, http, verifyAfter: false }))[0]!;

describe('provider failures become failed results with the HTTP status', () => {
  it('401 invalid token', async () => {
    const { server, endpoints } = await gitlab();
    const r = await revokeOnce(TOKEN_MAKERS['gitlab-pat-legacy']!(), endpoints);
    expect(r).toMatchObject({ outcome: 'failed', status: 401 });
    expect(r.error).toMatch(/401/);
    expect(server.requests).toHaveLength(1);
  });

  for (const status of [404, 500]) {
    it(`${status}`, async () => {
      const { server, secret, endpoints } = await gitlab();
      server.failNext({ kind: 'status', status });
      const r = await revokeOnce(secret, endpoints);
      expect(r).toMatchObject({ outcome: 'failed', status });
      expect(server.isActive(secret)).toBe(true);
    });
  }

  it('429 with Retry-After is waited for and retried', async () => {
    const { server, secret, endpoints } = await gitlab();
    server.failNext({ kind: 'status', status: 429, retryAfter: '1' });
    const t0 = Date.now();
    const r = await revokeOnce(secret, endpoints);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(r.outcome).toBe('revoked');
    expect(server.requests).toHaveLength(2);
    expect(server.isActive(secret)).toBe(false);
  });

  it('429 asking for a wait longer than allowed fails as rate-limited without waiting', async () => {
    const { server, secret, endpoints } = await gitlab();
    server.failNext({ kind: 'status', status: 429, retryAfter: '3600' });
    const t0 = Date.now();
    const r = await revokeOnce(secret, endpoints);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r).toMatchObject({ outcome: 'failed', status: 429 });
    expect(r.error).toMatch(/rate limited/);
  });

  it('a provider that never answers times out', async () => {
    const { server, secret, endpoints } = await gitlab();
    server.failNext({ kind: 'hang' });
    const t0 = Date.now();
    const r = await revokeOnce(secret, endpoints, new HttpClient({ timeoutMs: 300 }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/did not answer within 0.3s/);
  });

  it('a redirect to another host is refused', async () => {
    const { server, secret, endpoints } = await gitlab();
    const elsewhere = await FAKES.gitlab().start();
    started.push(elsewhere);
    elsewhere.add(secret);
    server.failNext({ kind: 'redirect', location: `${elsewhere.origin.replace('127.0.0.1', 'localhost')}/api/v4/personal_access_tokens/self` });
    const r = await revokeOnce(secret, endpoints);
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatch(/refused/);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('a failed token is reported with an error that does not contain the secret, even if the provider echoes it', async () => {
    const { server, secret, endpoints } = await gitlab();
    server.failNext({ kind: 'status', status: 400, body: JSON.stringify({ message: `token ${secret} is malformed` }) });
    const r = await revokeOnce(secret, endpoints);
    expect(r.outcome).toBe('failed');
    expect(r.error).toContain('is malformed');
    expect(r.error).not.toContain(secret);
  });
});

describe('HTTP client', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs(null)).toBe(1000);
  });

  it('refuses a URL outside the allowed origin and refuses to run with TLS checks off', async () => {
    const client = new HttpClient();
    await expect(client.send({ method: 'GET', url: new URL('https://evil.example/x'), headers: {} }, 'https://api.github.com')).rejects.toThrow(/not the rule's host/);
    const noTls = new HttpClient({ env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    await expect(noTls.send({ method: 'GET', url: new URL('https://api.github.com/user'), headers: {} }, 'https://api.github.com')).rejects.toThrow(/TLS/);
  });

  it('spaces requests to one host (rate limit)', async () => {
    const { server, endpoints } = await gitlab();
    const http = new HttpClient({ minIntervalMs: 150 });
    const t0 = Date.now();
    const secrets = [1, 2, 3].map(() => TOKEN_MAKERS['gitlab-pat-legacy']!());
    await verifyFindings(
      secrets.map((s) => findingFor(rule('gitlab-pat-legacy'), s)),
      repoRules(),
      { endpoints, http, access: false },
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(server.requests).toHaveLength(3);
  });
});

describe('verify', () => {
  it('checks each unique secret once, maps every finding to the answer, and caches definite answers', async () => {
    const { server, secret, endpoints } = await gitlab();
    const def = rule('gitlab-pat-legacy');
    const dead = TOKEN_MAKERS['gitlab-pat-legacy']!();
    server.add(dead, false);
    const findings = [findingFor(def, secret, 'a.env'), findingFor(def, secret, 'b.env', 9), findingFor(def, dead, 'c.env')];
    const cache = createVerifyCache();
    const first = await verifyFindings(findings, repoRules(), { endpoints, cache, access: false });
    expect(first.secrets.map((s) => s.result.status)).toEqual(['active', 'inactive']);
    expect(first.secrets[0]!.occurrences).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
    const again = await verifyFindings(findings, repoRules(), { endpoints, cache, access: false });
    expect(server.requests).toHaveLength(2);
    expect(again.secrets.every((s) => s.result.cached)).toBe(true);
  });

  it('answers unknown (with the reason) on a 500 and does not cache it', async () => {
    const { server, secret, endpoints } = await gitlab();
    server.failNext({ kind: 'status', status: 500 });
    const cache = createVerifyCache();
    const { secrets } = await verifyFindings([findingFor(rule('gitlab-pat-legacy'), secret)], repoRules(), { endpoints, cache, access: false });
    expect(secrets[0]!.result).toMatchObject({ status: 'unknown', httpStatus: 500 });
    await verifyFindings([findingFor(rule('gitlab-pat-legacy'), secret)], repoRules(), { endpoints, cache, access: false });
    expect(server.requests).toHaveLength(2);
  });

  it('Slack: HTTP 200 with ok:false is inactive, not active', async () => {
    const server = await FAKES.slack().start();
    started.push(server);
    const endpoints = parseEndpoints([`slack=${server.origin}`]);
    const { secrets } = await verifyFindings([findingFor(rule('slack-bot-token'), TOKEN_MAKERS['slack-bot-token']!())], repoRules(), { endpoints });
    expect(secrets[0]!.result.status).toBe('inactive');
  });
});

describe('plan and audit', () => {
  it('the plan names provider, method, host, effect and irreversibility, and calls nothing', async () => {
    const { server, secret, endpoints } = await gitlab();
    const plan = planRevocation([findingFor(rule('gitlab-pat-legacy'), secret), findingFor(rule('wise-personal-api-token'), '0f3c2a4e-1b2c-4d5e-8f90-123456789abc', '.env', 2)], repoRules(), {
      endpoints,
    });
    const text = renderPlan(plan);
    expect(text).toMatch(/GitLab/);
    expect(text).toContain(`DELETE ${new URL(server.origin).host}/api/v4/personal_access_tokens/self`);
    expect(text).toMatch(/IRREVERSIBLE/);
    expect(text).toMatch(/Wise.com > Your Account > Integrations and Tools > API tokens/);
    expect(text).not.toContain(secret);
    expect(server.requests).toHaveLength(0);
  });

  it('audit lines carry fingerprints and redacted values, never the secret', async () => {
    const { secret, endpoints } = await gitlab();
    const dir = mkdtempSync(join(tmpdir(), 'tw-audit-'));
    dirs.push(dir);
    const audit = createAuditLog(join(dir, 'nested/audit.jsonl'));
    const plan = planRevocation([findingFor(rule('gitlab-pat-legacy'), secret)], repoRules(), { endpoints });
    auditPlan(plan, audit);
    await executePlan(plan, { endpoints, audit });
    const text = readFileSync(audit.path, 'utf8');
    expect(text).not.toContain(secret);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // The attempt is fsynced before the provider call, so a crash mid-call still leaves a record.
    expect(lines.map((l) => l.outcome)).toEqual(['planned', 'attempt', 'revoked']);
    expect(lines[1]).toMatchObject({ rule: 'gitlab-pat-legacy', fingerprint: lines[2].fingerprint });
    lines.splice(1, 1);
    expect(lines[1]).toMatchObject({ rule: 'gitlab-pat-legacy', provider: 'GitLab', status: 204, verify: 'inactive', endpoint: endpoints.get('gitlab')!.url.host });
    expect(lines[1].fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof lines[1].time).toBe('string');
    expect(() => audit.write({ ...lines[1], error: secret }, [secret])).toThrow(/secret/);
  });
});

describe('endpoints and rule data checks', () => {
  it('an endpoint override keeps the documented path and may add a prefix (GitHub Enterprise Server)', () => {
    const endpoints = parseEndpoints(['GitHub=https://ghe.example.com/api/v3']);
    const plan = planRevocation([findingFor(rule('github-pat-classic'), TOKEN_MAKERS['github-pat-classic']!())], repoRules(), { endpoints });
    const a = plan.items[0]!.action;
    expect(a.kind === 'api' && [a.host, a.requests[0]!.path, a.overridden]).toEqual(['ghe.example.com', '/api/v3/credentials/revoke', true]);
    expect(() => parseEndpoints(['github'])).toThrow(EndpointError);
    expect(() => parseEndpoints(['github=ftp://x'])).toThrow(/http/);
  });

  it('rejects templates naming values that do not exist, naming the rule', () => {
    const bad = { ...rule('npm-access-token'), revoke: { origin: 'https://registry.npmjs.org', steps: [{ method: 'DELETE' as const, path: '/-/npm/v1/tokens/token/{{keyy}}' }] } };
    expect(() => checkRuleSpecs(bad)).toThrow(/rule "npm-access-token".*\{\{keyy\}\} is not known/);
    const filter = { ...bad, revoke: { ...bad.revoke, steps: [{ method: 'GET' as const, path: '/{{secret|reverse}}' }] } };
    expect(() => checkRuleSpecs(filter)).toThrow(/unknown template filter "reverse"/);
    // An access probe knows only the secret: a name from a verify step is not there.
    const gh = rule('github-pat-classic');
    const probe = { request: { method: 'GET' as const, path: '/users/{{login}}/repos' }, facts: { repositories: { label: 'repositories', list: '', items: 'full_name' } } };
    const access = { ...gh, verify: { ...gh.verify!, access: [probe] } };
    expect(() => checkRuleSpecs(access)).toThrow(/rule "github-pat-classic" field "verify.access.0": \{\{login\}\} is not known here \(known: secret\)/);
  });
});
