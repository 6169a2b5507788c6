/**
 * A file the folder walk lists as regular is read with one read and no fstat when it fits the read
 * buffer (1 MiB at first); one that fills the buffer is asked for its size and read again. Either
 * way every byte is scanned and counted, and binary, UTF-16, empty and too-large files are reported
 * as before.
 */
import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const MIB = 1024 * 1024;

/** `size` bytes of text ending with a token line. */
function textEndingWith(token: string, size: number): Buffer {
  const tail = `\nTOKEN=${token}\n`;
  return Buffer.concat([Buffer.alloc(size - tail.length, 'filler text, not a secret\n'), Buffer.from(tail)]);
}

interface Scan {
  findings: Array<{ path: string; line: number }>;
  stats: { files: number; bytes: number; binary: number; skipped: number; unreadable: number };
  skipped: Array<{ path: string; message: string }>;
}

describe('file reads', () => {
  // Names sort in reading order: the exact 1 MiB file comes while the buffer is still 1 MiB.
  const tokens = { exact: githubToken(), under: githubToken(), large: githubToken(), small: githubToken(), utf16: githubToken() };
  const files = {
    'a-exact-1mib.txt': textEndingWith(tokens.exact, MIB),
    'b-just-under.txt': textEndingWith(tokens.under, MIB - 1),
    'c-empty.txt': '',
    'd-small.env': `GITHUB_TOKEN=${tokens.small}\n`,
    'e-binary.bin': Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`GITHUB_TOKEN=${githubToken()}\n`)]),
    'f-three-mib.txt': textEndingWith(tokens.large, 3 * MIB),
    'g-utf16.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`GITHUB_TOKEN=${tokens.utf16}\n`, 'utf16le')]),
  };
  const sizes = Object.fromEntries(Object.entries(files).map(([name, content]) => [name, Buffer.byteLength(content)]));

  it('scans every byte of files below, at and above the read buffer size, from a folder walk and named', async () => {
    const dir = testTree(files);
    const named = Object.keys(files).filter((f) => f.endsWith('.txt'));
    for (const args of [['.'], named]) {
      const r = await runCli(['scan', '--no-config', '-f', 'json', ...args], { cwd: dir });
      expect(r.code, r.stderr).toBe(1);
      const json = JSON.parse(r.stdout) as Scan;
      const found = new Map(json.findings.map((f) => [f.path, f.line]));
      expect(found.get('a-exact-1mib.txt')).toBeGreaterThan(1000);
      expect(found.get('b-just-under.txt')).toBeGreaterThan(1000);
      expect(found.get('f-three-mib.txt')).toBeGreaterThan(1000);
      expect(found.get('g-utf16.txt')).toBe(1);
      if (args[0] === '.') {
        expect(found.get('d-small.env')).toBe(1);
        expect(json.stats).toMatchObject({ files: 6, binary: 1, skipped: 0, unreadable: 0 });
        // Counted as stored: every text file's full size (UTF-16 before transcoding).
        expect(json.stats.bytes).toBe(Object.entries(sizes).reduce((sum, [name, size]) => sum + (name.endsWith('.bin') ? 0 : size), 0));
      }
    }
  });

  it('skips files over --max-file-size, also those that fit the read buffer', async () => {
    const dir = testTree(files);
    const r = await runCli(['scan', '--no-config', '-f', 'json', '--max-file-size', '1KB', '.'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout) as Scan;
    expect(json.findings.map((f) => f.path).sort()).toEqual(['d-small.env', 'g-utf16.txt']);
    expect(json.skipped.map((s) => s.path).sort()).toEqual(['a-exact-1mib.txt', 'b-just-under.txt', 'f-three-mib.txt']);
    expect(json.stats).toMatchObject({ files: 3, binary: 1, skipped: 3 });
  });
});
