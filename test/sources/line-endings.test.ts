import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

// Classic Mac OS files and some exported logs end lines with a lone `\r`. Before the fix such a
// file was one line: every finding got line 1 and one `tokenward:allow` hid every secret in it.
describe('line endings', () => {
  for (const [name, eol] of [['CR', '\r'], ['CRLF', '\r\n'], ['LF', '\n']] as const) {
    it(`${name}: line numbers and inline directives follow the line breaks`, async () => {
      const a = githubToken();
      const b = githubToken();
      const text = ['# config', `A="${a}" # tokenward:allow`, '', `B="${b}"`, ''].join(eol);
      const dir = testTree({ 'cfg.env': text });
      const r = await runCli(['scan', '-f', 'json', 'cfg.env'], { cwd: dir });
      expect(r.code).toBe(1);
      const findings = JSON.parse(r.stdout).findings as { line: number; column: number }[];
      expect(findings.map((f) => f.line)).toEqual([4]);
      expect(findings[0]!.column).toBe(4);
    });
  }

  it('CR: next-line directives and standard input', async () => {
    const a = githubToken();
    const b = githubToken();
    const text = ['# tokenward:allow-next-line', `A="${a}"`, `B="${b}"`, ''].join('\r');
    const dir = testTree({ 'cfg.env': text });
    const r = await runCli(['scan', '-f', 'json', 'cfg.env'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings.map((f: { line: number }) => f.line)).toEqual([3]);
    const s = await runCli(['scan', '-f', 'jsonl', '-'], { cwd: dir, input: text });
    const lines = s.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number });
    expect(lines.map((f) => f.line)).toEqual([3]);
  });
});
