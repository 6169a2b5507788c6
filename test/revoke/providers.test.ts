/**
 * Every provider with a revocation API, against its local stand-in: verify → revoke → verify again,
 * driven only by the rule files' verify/revoke data.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkRuleSpecs, executePlan, HttpClient, parseEndpoints, planRevocation, verifySecret } from '@tokenward/revoke';
import { FAKES, type FakeProvider } from './fake-providers.js';
import { FAKE_OF, findingFor, repoRules, rule, TOKEN_MAKERS } from './helpers.js';

const started: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function fake(name: string): Promise<FakeProvider> {
  const f = await FAKES[name as keyof typeof FAKES]().start();
  started.push(f);
  return f;
}

describe('rule data', () => {
  it('every verify/revoke block in rules/ is well formed (templates refer to known values)', () => {
    const defs = repoRules();
    for (const d of defs) expect(() => checkRuleSpecs(d), d.id).not.toThrow();
    expect(defs.filter((d) => d.revoke).length).toBeGreaterThan(0);
  });

  it('every rule with a revocation API has a stand-in server and a token maker here', () => {
    const withApi = repoRules().filter((d) => d.revoke).map((d) => d.id);
    for (const id of withApi) {
      expect(FAKE_OF[id], `stand-in for ${id}`).toBeDefined();
      expect(TOKEN_MAKERS[id], `token maker for ${id}`).toBeDefined();
    }
  });
});

const apiRules = () => repoRules().filter((d) => d.revoke && FAKE_OF[d.id]);

describe('each API provider, against its stand-in', () => {
  for (const id of Object.keys(FAKE_OF)) {
    it(`${id}: verify, revoke, verify again`, async (ctx) => {
      const def = repoRules().find((d) => d.id === id);
      if (!def?.revoke) ctx.skip();
      const server = await fake(FAKE_OF[id]!);
      const secret = TOKEN_MAKERS[id]!();
      const other = TOKEN_MAKERS[id]!();
      server.add(secret).add(other);
      if (id === 'npm-access-token') {
        server.listing = [
          { key: 'k-other', token: `${other.slice(0, 8)}...${other.slice(-4)}`, full: other },
          { key: 'k-leaked', token: `${secret.slice(0, 8)}...${secret.slice(-4)}`, full: secret },
        ];
      }
      if (id === 'heroku-api-key') {
        server.listing = [
          { id: 'auth-other', access_token: { token: other, id: 'tok-other' } },
          { id: 'auth-leaked', access_token: { token: secret, id: 'tok-leaked' } },
        ];
      }
      const endpoints = parseEndpoints([`${def!.provider}=${server.origin}`]);
      const http = new HttpClient({ timeoutMs: 5000 });

      if (def!.verify) expect((await verifySecret(def!, secret, { endpoints, http })).status).toBe('active');

      const plan = planRevocation([findingFor(def!, secret)], repoRules(), { endpoints });
      expect(plan.items[0]!.action.kind).toBe('api');
      const [result] = await executePlan(plan, { endpoints, http });
      expect(result!.error).toBeUndefined();
      expect(result!.outcome).toBe('revoked');
      expect(server.isActive(secret)).toBe(false);
      expect(server.isActive(other), 'another token of the same account is untouched').toBe(true);
      // Every request went to the stand-in, none carried the secret in the URL.
      for (const r of server.requests) expect(r.path).not.toContain(secret);
      if (def!.verify) {
        expect(result!.verifiedAfter).toBe('inactive');
        expect((await verifySecret(def!, secret, { endpoints, http })).status).toBe('inactive');
      }
    });
  }

  it('covers the issue-listed API providers', () => {
    const providers = new Set(apiRules().map((d) => d.provider));
    for (const p of ['GitHub', 'GitLab', 'Slack', 'npm', 'DigitalOcean', 'Doppler', 'Vercel', 'Heroku', 'Hugging Face', 'Buildkite', 'crates.io', 'Cloudflare']) {
      expect(providers, p).toContain(p);
    }
  });
});

describe('GitHub contract details', () => {
  it('sends the documented unauthenticated JSON request, and ghs_ tokens use DELETE /installation/token', async () => {
    const server = await fake('github');
    const pat = TOKEN_MAKERS['github-pat-classic']!();
    const ghs = TOKEN_MAKERS['github-app-installation-token']!();
    server.add(pat).add(ghs);
    const endpoints = parseEndpoints([`github=${server.origin}`]);
    const plan = planRevocation([findingFor(rule('github-pat-classic'), pat), findingFor(rule('github-app-installation-token'), ghs)], repoRules(), { endpoints });
    const results = await executePlan(plan, { endpoints, verifyAfter: false });
    expect(results.map((r) => r.outcome)).toEqual(['revoked', 'revoked']);
    const post = server.requests.find((r) => r.path === '/credentials/revoke')!;
    expect(post.method).toBe('POST');
    expect(post.headers.authorization).toBeUndefined();
    expect(post.headers['x-github-api-version']).toBe('2022-11-28');
    expect(JSON.parse(post.body)).toEqual({ credentials: [pat] });
    const del = server.requests.find((r) => r.path === '/installation/token')!;
    expect(del.method).toBe('DELETE');
    expect(del.headers.authorization).toBe(`token ${ghs}`);
  });

  it('splits 2,500 tokens into batches of at most 1,000 (the stand-in rejects larger ones with 422)', async () => {
    const server = await fake('github');
    const secrets = Array.from({ length: 2500 }, () => TOKEN_MAKERS['github-pat-classic']!());
    for (const s of secrets) server.add(s);
    const endpoints = parseEndpoints([`github=${server.origin}`]);
    const plan = planRevocation(secrets.map((s, i) => findingFor(rule('github-pat-classic'), s, `f${i}.txt`)), repoRules(), { endpoints });
    const results = await executePlan(plan, { endpoints, verifyAfter: false });
    const posts = server.requests.filter((r) => r.path === '/credentials/revoke');
    expect(posts.map((p) => JSON.parse(p.body).credentials.length)).toEqual([1000, 1000, 500]);
    expect(results.every((r) => r.outcome === 'revoked')).toBe(true);
    expect(secrets.every((s) => !server.isActive(s))).toBe(true);
  });

  it('the stand-in does reject a batch over 1,000 (so the test above can fail)', async () => {
    const server = await fake('github');
    const res = await fetch(`${server.origin}/credentials/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credentials: Array.from({ length: 1001 }, (_, i) => `ghp_${i}`) }),
    });
    expect(res.status).toBe(422);
  });
});

describe('npm token list matching', () => {
  it('refuses when two listed tokens share the first 8 and last 4 characters, and deletes nothing', async () => {
    const server = await fake('npm');
    const secret = `npm_abcd${'X'.repeat(28)}WXYZ`;
    const similar = `npm_abcd${'Y'.repeat(28)}WXYZ`;
    server.add(secret).add(similar);
    server.listing = [
      { key: 'k1', token: 'npm_abcd...WXYZ', full: secret },
      { key: 'k2', token: 'npm_abcd...WXYZ', full: similar },
    ];
    const endpoints = parseEndpoints([`npm=${server.origin}`]);
    const [r] = await executePlan(planRevocation([findingFor(rule('npm-access-token'), secret)], repoRules(), { endpoints }), { endpoints });
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatch(/2 entries .* match/);
    expect(server.requests.some((q) => q.method === 'DELETE')).toBe(false);
    expect(server.isActive(secret) && server.isActive(similar)).toBe(true);
  });

  it('fails clearly when the token is not in the list', async () => {
    const server = await fake('npm');
    const secret = TOKEN_MAKERS['npm-access-token']!();
    server.add(secret);
    server.listing = [{ key: 'k1', token: 'npm_zzzz...0000' }];
    const endpoints = parseEndpoints([`npm=${server.origin}`]);
    const [r] = await executePlan(planRevocation([findingFor(rule('npm-access-token'), secret)], repoRules(), { endpoints }), { endpoints });
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatch(/no entry/);
  });

  it('reports malformed JSON from the token list as a failure', async () => {
    const server = await fake('npm');
    const secret = TOKEN_MAKERS['npm-access-token']!();
    server.add(secret).failNext({ kind: 'malformed' });
    const endpoints = parseEndpoints([`npm=${server.origin}`]);
    const [r] = await executePlan(planRevocation([findingFor(rule('npm-access-token'), secret)], repoRules(), { endpoints }), { endpoints });
    expect(r!.outcome).toBe('failed');
    expect(r!.error).toMatch(/not valid JSON/);
    expect(server.isActive(secret)).toBe(true);
  });
});
