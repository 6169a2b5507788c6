import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRules, scanBytes, StreamScanner, type Finding } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
import { runCli, tempTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

// Hostile inputs must neither crash nor hang. Each test's timeout is a hang detector, not a
// speed target (speed lives in `npm run bench`).
const compiled = compileRules(loadRuleDefinitions());
const origin = { path: 'hostile' };
const MB = 1024 * 1024;

describe('hostile input', () => {
  it('random bytes: no crash, and a planted token is still found', () => {
    const token = githubToken();
    const noise = randomBytes(8 * MB);
    noise.write(` ${token} `, 4 * MB, 'latin1');
    const found = scanBytes(compiled, noise, origin).filter((f) => f.ruleId === 'github-pat-classic');
    expect(found.map((f) => f.secret)).toContain(token);
  }, 30_000);

  it('invalid UTF-8 around a token gives a finding with a sane column', () => {
    const token = githubToken();
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x20]), Buffer.from(token), Buffer.from([0xff, 0xfe, 0x0a])]);
    const [f] = scanBytes(compiled, bytes, origin).filter((x) => x.ruleId === 'github-pat-classic');
    expect(f!.secret).toBe(token);
    expect(f!.start.line).toBe(1);
    expect(f!.start.column).toBeGreaterThan(1);
    expect(f!.start.column).toBeLessThan(14);
  });

  it('NUL bytes inside text do not hide a token', () => {
    const token = githubToken();
    const bytes = Buffer.concat([Buffer.alloc(1000, 0), Buffer.from(`\n${token}\0\0`)]);
    expect(scanBytes(compiled, bytes, origin).map((f) => f.secret)).toContain(token);
  });

  it('deeply nested JSON (100k levels) scans without recursion problems', () => {
    const token = githubToken();
    const depth = 100_000;
    const json = `${'{"a":['.repeat(depth)}"${token}"${']}'.repeat(depth)}`;
    const found = scanBytes(compiled, Buffer.from(json), origin);
    expect(found.map((f) => f.secret)).toContain(token);
    expect(found.find((f) => f.secret === token)!.start.column).toBe(depth * 6 + 2);
  }, 30_000);

  it('a flood of keyword hits (ghp_ repeated over 16 MB) stays linear', () => {
    const bytes = Buffer.alloc(16 * MB, 'ghp_');
    const token = githubToken();
    bytes.write(` ${token} `, 8 * MB, 'latin1');
    const found = scanBytes(compiled, bytes, origin);
    expect(found.map((f) => f.secret)).toEqual([token]);
  }, 60_000);

  it('a 50 MB single line streamed in chunks finds its tokens with exact columns', () => {
    const size = 50 * MB;
    const line = Buffer.alloc(size, 'ab ');
    const planted: Array<[string, number]> = [];
    for (const at of [0, 12 * MB + 1, 33 * MB + 2, size - 60]) {
      const t = githubToken();
      const pos = at - (at % 3) + 3; // right after a space
      line.write(`${t} `, pos, 'latin1');
      planted.push([t, pos + 1]);
    }
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, origin, (f) => found.push(...f), { chunkSize: 4 * MB });
    for (let i = 0; i < size; i += 4 * MB) s.push(line.subarray(i, i + 4 * MB));
    s.end();
    const ghp = found.filter((f) => f.ruleId === 'github-pat-classic');
    expect(ghp.map((f) => [f.secret, f.start.column])).toEqual(planted);
    expect(new Set(ghp.map((f) => f.start.line))).toEqual(new Set([1]));
  }, 120_000);
});

describe('hostile files through the CLI', () => {
  const t = tempTree({});
  afterAll(() => t.cleanup());

  it('a 50 MB single-line file, random binary and invalid UTF-8 files: exit codes stay right', async () => {
    const { writeFileSync } = await import('node:fs');
    const token = githubToken();
    const big = Buffer.alloc(50 * MB, 'x ');
    big.write(` ${token} `, 25 * MB, 'latin1');
    writeFileSync(`${t.dir}/one-line.min.js`, big);
    writeFileSync(`${t.dir}/random.bin`, randomBytes(MB));
    writeFileSync(`${t.dir}/latin1.txt`, Buffer.from([0xe9, 0xe8, 0x0a, 0xff, 0xfe, 0x20, 0x41]));
    const r = await runCli(['scan', '-f', 'json', t.dir], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ line: 1, column: 25 * MB + 2 });
    expect(json.stats.files + json.stats.binary).toBe(3);
  }, 120_000);
});
