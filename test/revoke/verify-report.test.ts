/**
 * Verification answers you can trust: cached per rule, host and fingerprint (never across hosts),
 * expiring, and carried by every report format; --only-verified / minVerified filter on them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifyCache, verifyCacheKey } from '@tokenward/revoke';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { FAKES, type FakeProvider } from './fake-providers.js';

const started: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function github(): Promise<FakeProvider> {
  const f = await FAKES.github().start();
  started.push(f);
  return f;
}

const env = () => ({ XDG_CONFIG_HOME: testTree() });

describe('the verify cache', () => {
  it('an answer from one endpoint never stands in for another', async () => {
    const first = await github();
    const second = await github();
    const token = githubToken();
    first.add(token);
    // The second host does not know the token: 401.
    const dir = testTree();
    const e = env();
    const a = await runCli(['verify', '--token', '-', '--yes', '--no-access', '--endpoint', `github=${first.origin}`], { cwd: dir, env: e, input: token });
    expect(a.stdout).toMatch(/^active/m);
    const b = await runCli(['verify', '--token', '-', '--yes', '--no-access', '--endpoint', `github=${second.origin}`], { cwd: dir, env: e, input: token });
    expect(b.stdout).toMatch(new RegExp(`^inactive .*\\(${new URL(second.origin).host.replace('.', '\\.')}, HTTP 401`, 'm'));
    expect(b.code).toBe(0);
    expect(second.requests).toHaveLength(1);
    // Asking the first host again is answered from the cache, marked as such.
    const c = await runCli(['verify', '--token', '-', '--yes', '--no-access', '--endpoint', `github=${first.origin}`], { cwd: dir, env: e, input: token });
    expect(c.stdout).toMatch(/^active .*cached/m);
    expect(first.requests).toHaveLength(1);
    // --no-cache asks again.
    await runCli(['verify', '--token', '-', '--yes', '--no-access', '--no-cache', '--endpoint', `github=${first.origin}`], { cwd: dir, env: e, input: token });
    expect(first.requests).toHaveLength(2);
    expect(readFileSync(join(dir, '.tokenward/verify-cache.json'), 'utf8')).not.toContain(token);
  });

  it('entries expire, and a file of the old format (keyed by fingerprint alone) is not trusted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cache-'));
    try {
      const file = join(dir, 'verify-cache.json');
      let now = Date.parse('2026-01-01T00:00:00Z');
      const cache = createVerifyCache({ file, ttlMs: 60_000, now: () => now });
      const key = verifyCacheKey('github-pat-classic', 'https://api.github.com/', 'f'.repeat(32));
      cache.set(key, { status: 'active', checkedAt: new Date(now).toISOString() });
      expect(cache.get(key)?.status).toBe('active');
      cache.save!();
      now += 61_000;
      expect(cache.get(key)).toBeUndefined();
      expect(createVerifyCache({ file, ttlMs: 60_000, now: () => now }).get(key)).toBeUndefined();
      writeFileSync(file, JSON.stringify({ ['f'.repeat(32)]: { status: 'active', checkedAt: new Date(now).toISOString() } }));
      expect(createVerifyCache({ file, now: () => now }).get('f'.repeat(32))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verified in every report format', () => {
  async function verifiedScan(format: string, extra: string[] = []) {
    const gh = await github();
    const live = githubToken();
    const dead = githubToken();
    gh.add(live).add(dead, false);
    gh.account = { login: 'octocat' };
    const dir = testTree({ 'a.env': `A=${live}\nB=${dead}\n` });
    const r = await runCli(['scan', '--verify', '--yes', '--endpoint', `github=${gh.origin}`, '-f', format, ...extra, '.'], { cwd: dir, env: env() });
    return { r, live, dead, gh, dir };
  }

  it('jsonl: a verified field per line, with status, HTTP status, time and the access map', async () => {
    const { r, live } = await verifiedScan('jsonl');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.verified).sort()).toEqual(['active', 'inactive']);
    const active = lines.find((l) => l.verified === 'active');
    expect(active.verification).toMatchObject({ status: 'active', httpStatus: 200 });
    expect(active.verification.access.summary).toMatch(/^account octocat/);
    expect(r.stdout).not.toContain(live);
  });

  it('sarif: the verified result property', async () => {
    const { r } = await verifiedScan('sarif');
    const results = JSON.parse(r.stdout).runs[0].results;
    expect(results.map((x: { properties: { verified: string } }) => x.properties.verified).sort()).toEqual(['active', 'inactive']);
    expect(results.find((x: { properties: { verified: string } }) => x.properties.verified === 'active').message.text).toMatch(/verified active/);
  });

  it('text: a column, what a live token reaches, and the counts in the summary', async () => {
    const { r } = await verifiedScan('text');
    expect(r.stdout).toMatch(/critical\s+active\s+GitHub personal access token/);
    expect(r.stdout).toMatch(/critical\s+inactive\s+GitHub personal access token/);
    expect(r.stdout).toMatch(/reaches: account octocat; scopes repo, read:org/);
    expect(r.stdout).toMatch(/2 secrets found in 1 file \(1 active, 1 inactive, 0 unknown\)/);
  });

  it('--only-verified reports only live tokens (exit 1 because one is live); minVerified in the config does the same', async () => {
    const { r, live, dead } = await verifiedScan('json', ['--only-verified']);
    const findings = JSON.parse(r.stdout).findings;
    expect(findings.map((f: { redacted: string }) => f.redacted.slice(-4))).toEqual([live.slice(-4)]);
    expect(r.stderr).toMatch(/1 finding not reported: verified below "active" \(--only-verified\)/);
    expect(r.code).toBe(1);
    const gh = await github();
    gh.add(dead, false);
    const dir = testTree({ '.tokenward.yaml': 'minVerified: unknown\n', 'a.env': `B=${dead}\n` });
    const onlyDead = await runCli(['scan', '--verify', '--yes', '--endpoint', `github=${gh.origin}`, '-f', 'json', '.'], { cwd: dir, env: env() });
    expect(JSON.parse(onlyDead.stdout).findings).toEqual([]);
    expect(onlyDead.code).toBe(0);
  });

  it('stdin with --verify: the report waits for the answers', async () => {
    const gh = await github();
    const live = githubToken();
    gh.add(live);
    const r = await runCli(['scan', '--verify', '--yes', '--no-access', '--endpoint', `github=${gh.origin}`, '-f', 'jsonl', '-'], { cwd: testTree(), env: env(), input: `token=${live}\n` });
    expect(JSON.parse(r.stdout.trim()).verified).toBe('active');
  });
});
