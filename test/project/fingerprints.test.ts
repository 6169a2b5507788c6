import { createHash, scryptSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, scanText } from '@tokenward/engine';
import { loadRules } from '@tokenward/project';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

// Issue 14: baseline fingerprints were unsalted fast hashes, so a weak password in a committed
// baseline was recovered by hashing guesses (`Winter2025!` in 16 ms). Fingerprints are now scrypt
// salted by the rule id; baselines and allow entries written before keep working.

/** The fingerprint earlier versions wrote (SHA-256, 32 hex characters), spelled out here on purpose. */
const oldFingerprint = (ruleId: string, secret: string) => createHash('sha256').update(`tokenward:v1\0${ruleId}\0${secret}`).digest('hex').slice(0, 32);
const json = (stdout: string) => JSON.parse(stdout) as { findings: Array<{ fingerprint: string }>; suppressedCount: number };

describe('fingerprints', () => {
  it('are scrypt of the secret salted by the rule (N=128, r=8: 128 KB per guess), 40 hex characters', () => {
    const fp = fingerprint('generic-secret-assignment', 'Winter2025!');
    expect(fp).toBe(scryptSync('Winter2025!', 'tokenward:v2\0generic-secret-assignment', 20, { N: 128, r: 8, p: 1 }).toString('hex'));
    expect(fp).not.toBe(oldFingerprint('generic-secret-assignment', 'Winter2025!'));
    // Salted by the rule: one guess serves one rule only.
    expect(fingerprint('generic-url-password', 'Winter2025!')).not.toBe(fp);
  });

  it('is computed when first read, so a finding hidden before it is printed costs no scrypt', () => {
    const t = githubToken();
    const [f] = scanText(loadRules().compiled, `const t = "${t}";\n`, { path: 'a.ts' });
    expect(typeof Object.getOwnPropertyDescriptor(f!, 'fingerprint')!.get).toBe('function');
    // Read like any field, by JSON and spreads alike.
    expect(JSON.parse(JSON.stringify(f)).fingerprint).toBe(fingerprint('github-pat-classic', t));
    expect({ ...f! }.fingerprint).toBe(fingerprint('github-pat-classic', t));
  });

  it('a baseline written with the old fingerprints still hides its secrets; --update-baseline rewrites them and keeps notes', async () => {
    const accepted = githubToken();
    const elsewhere = githubToken();
    const dir = testTree({ 'src/a.ts': `A="${accepted}"\n`, 'other/o.ts': `O="${elsewhere}"\n` });
    const outside = { fingerprint: oldFingerprint('github-pat-classic', elsewhere), ruleId: 'github-pat-classic', path: 'other/o.ts', note: 'SEC-2' };
    const entries = [{ fingerprint: oldFingerprint('github-pat-classic', accepted), ruleId: 'github-pat-classic', path: 'src/a.ts', note: 'SEC-1' }, outside];
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ tool: 'tokenward', version: 1, entries }));

    let r = await runCli(['scan', '--baseline', 'b.json', '-f', 'json', '.'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).suppressedCount).toBe(2);

    // Only the scanned folder is rewritten: the entry outside it is left as it was, and still works.
    r = await runCli(['scan', '--baseline', 'b.json', '--update-baseline', 'src'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/0 added, 0 removed, 2 kept/);
    const after = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).entries;
    expect(after).toEqual([outside, { fingerprint: fingerprint('github-pat-classic', accepted), ruleId: 'github-pat-classic', path: 'src/a.ts', note: 'SEC-1' }]);
    expect((await runCli(['scan', '--baseline', 'b.json', '-q', '.'], { cwd: dir })).code).toBe(0);
  });

  it('an allow entry with an old fingerprint still hides its secret, and only that one', async () => {
    const accepted = githubToken();
    const other = githubToken();
    const dir = testTree({
      'a.ts': `A="${accepted}"\nB="${other}"\n`,
      '.tokenward.yaml': `allow:\n  - fingerprint: ${oldFingerprint('github-pat-classic', accepted)}\n    reason: revoked\n`,
    });
    const r = await runCli(['scan', '-f', 'json', '.'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(json(r.stdout).findings.map((f) => f.fingerprint)).toEqual([fingerprint('github-pat-classic', other)]);
  });
});
