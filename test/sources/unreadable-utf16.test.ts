import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

// Tests run as root, where chmod 000 denies nothing. The scan is therefore run as `nobody`
// (setpriv drops uid, gid and groups), for whom a mode-000 file really fails with EACCES.
function scanAsNobody(dir: string, args: string[]) {
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'scan', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HOME: dir },
  });
}

describe('files that cannot be read', () => {
  const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  it.skipIf(!asRoot)('make the exit code 2 unless --skip-unreadable, findings and errors still reported', () => {
    const token = githubToken();
    const dir = testTree({ 'a.env': `A="${token}"\n`, 'locked.env': `B="${githubToken()}"\n` });
    chmodSync(dir, 0o755);
    chmodSync(`${dir}/a.env`, 0o644);
    chmodSync(`${dir}/locked.env`, 0o000);
    const r = scanAsNobody(dir, ['-f', 'json', '.']);
    expect(r.status, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.findings).toHaveLength(1);
    expect(report.errors.map((e: { path: string }) => e.path)).toEqual(['locked.env']);
    expect(r.stderr).toMatch(/cannot read locked\.env: EACCES/);
    const text = scanAsNobody(dir, ['.']);
    expect(text.status).toBe(2);
    expect(text.stdout).toMatch(/locked\.env/);
    const skip = scanAsNobody(dir, ['--skip-unreadable', '-f', 'json', '.']);
    expect(skip.status).toBe(1);
    expect(JSON.parse(skip.stdout).errors).toHaveLength(1);
  });
});

describe('UTF-16 without a byte order mark', () => {
  for (const enc of ['utf16le', 'utf16be'] as const) {
    it(`${enc} is transcoded and scanned`, async () => {
      const token = githubToken();
      let bytes = Buffer.from(`# exported\nTOKEN=${token}\n`, 'utf16le');
      if (enc === 'utf16be') bytes = Buffer.from(bytes).swap16();
      const dir = testTree({ 'export.txt': bytes });
      const r = await runCli(['scan', '-f', 'json', '.'], { cwd: dir });
      expect(r.code, r.stderr).toBe(1);
      const [f] = JSON.parse(r.stdout).findings;
      expect(f.line).toBe(2);
    });
  }
});
