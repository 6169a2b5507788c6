/**
 * Issue 14: UTF-16 over 16 MB was missed everywhere. Files that large are read in pieces; the
 * first piece says UTF-16 (a BOM, or NULs in every other byte) and every piece is transcoded as it
 * comes, a character cut between two pieces kept whole. Git sources hold a blob whole and transcode
 * it whole; standard input is transcoded as it streams.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { testRepo } from '../git/repo.js';

const FILLER_LINES = 90_000;

/** ~18 MB of UTF-16: a token on line 2 and one on the last line (past every 8 MB read). */
function bigUtf16(encoding: 'le' | 'be', bom: boolean): { bytes: Buffer; first: string; last: string; lastLine: number } {
  const first = githubToken();
  const last = githubToken();
  const text = `# export\nFIRST=${first}\n${`${'é€ filler, not a secret '.padEnd(99, '.')}\n`.repeat(FILLER_LINES)}LAST=${last}\n`;
  let bytes = Buffer.from(text, 'utf16le');
  if (encoding === 'be') bytes = bytes.swap16();
  if (bom) bytes = Buffer.concat([Buffer.from(encoding === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), bytes]);
  return { bytes, first, last, lastLine: FILLER_LINES + 3 };
}

interface JsonFinding {
  path: string;
  line: number;
  column: number;
}

describe('UTF-16 over 16 MB', () => {
  for (const [encoding, bom] of [['le', true], ['le', false], ['be', true]] as const) {
    it(`files: UTF-16${encoding.toUpperCase()} ${bom ? 'with' : 'without'} a BOM, both ends found with their lines`, async () => {
      const big = bigUtf16(encoding, bom);
      expect(big.bytes.length).toBeGreaterThan(16 * 1024 * 1024);
      const dir = testTree({ 'export.txt': big.bytes });
      const r = await runCli(['scan', '--no-config', '-f', 'json', '.'], { cwd: dir });
      expect(r.code, r.stderr).toBe(1);
      const found = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
      expect(found.map((f) => [f.line, f.column])).toEqual([
        [2, 7],
        [big.lastLine, 6],
      ]);
    });
  }

  it('--staged and --history, and standard input', async () => {
    const big = bigUtf16('le', true);
    const repo = testRepo();
    repo.commit('init', { 'README.md': 'hello\n' });
    writeFileSync(join(repo.dir, 'export.txt'), big.bytes);
    repo.git('add', 'export.txt');
    const lines = (stdout: string) => (JSON.parse(stdout) as { findings: JsonFinding[] }).findings.map((f) => f.line).sort((a, b) => a - b);
    const staged = await runCli(['scan', '--staged', '-f', 'json'], { cwd: repo.dir });
    expect(staged.code, staged.stderr).toBe(1);
    expect(lines(staged.stdout)).toEqual([2, big.lastLine]);
    repo.git('commit', '-q', '--no-verify', '-m', 'add export');
    const history = await runCli(['scan', '--history', '-f', 'json'], { cwd: repo.dir });
    expect(history.code, history.stderr).toBe(1);
    expect(lines(history.stdout)).toEqual([2, big.lastLine]);
    const stdin = await runCli(['scan', '-f', 'json', '-'], { cwd: repo.dir, input: big.bytes });
    expect(stdin.code, stdin.stderr).toBe(1);
    expect(lines(stdin.stdout)).toEqual([2, big.lastLine]);
  });
});
