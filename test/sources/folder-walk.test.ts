/**
 * The folder walk (outside a git repository, or with --no-ignore): every regular file, dot-files
 * included; `.git` left out; symlinks, pipes and sockets neither followed nor listed; a folder that
 * cannot be read is reported and the walk goes on.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles } from '@tokenward/sources';
import { BIN, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

function tree(): string {
  const dir = testTree({
    'a.txt': 'a',
    '.hidden': 'h',
    'deep/er/still/b.env': 'b',
    '.config/c.yml': 'c',
    '.git/config': '[core]',
    'sub/.git': 'gitdir: ../.git/modules/sub',
    'sub/d.txt': 'd',
  });
  symlinkSync('a.txt', join(dir, 'link-to-file'));
  symlinkSync('deep', join(dir, 'link-to-folder'));
  symlinkSync('/nonexistent', join(dir, 'broken-link'));
  spawnSync('mkfifo', [join(dir, 'pipe')]);
  mkdirSync(join(dir, 'empty'));
  return dir;
}

describe('folder walk', () => {
  it('lists regular files only, dot-files included, without .git, following no link', async () => {
    const dir = tree();
    for (const noIgnore of [true, false]) {
      const { files, problems } = await listFiles(['.'], { cwd: dir, noIgnore });
      expect(problems).toEqual([]);
      expect(files.map((f) => f.display)).toEqual(['.config/c.yml', '.hidden', 'a.txt', 'deep/er/still/b.env', 'sub/d.txt']);
      // Seen as regular files by the walk: read without an fstat.
      expect(files.every((f) => f.regular)).toBe(true);
    }
  });

  it("leaves the regular flag off git's listing (it may name a symlink)", async () => {
    const dir = testTree({ 'a.txt': 'a' });
    symlinkSync('a.txt', join(dir, 'link'));
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    const { files } = await listFiles(['.'], { cwd: dir });
    expect(files.map((f) => [f.display, f.regular])).toEqual([
      ['a.txt', undefined],
      ['link', undefined],
    ]);
  });

  const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  it.skipIf(!asRoot)('reports a folder it cannot read and scans the rest (exit code 2)', () => {
    const dir = tree();
    writeFileSync(join(dir, 'deep/er/still/b.env'), `GITHUB_TOKEN=${githubToken()}\n`);
    mkdirSync(join(dir, 'locked'));
    writeFileSync(join(dir, 'locked/x.env'), `GITHUB_TOKEN=${githubToken()}\n`);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'locked'), 0o000);
    // As `nobody`: root reads a mode-000 folder anyway.
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'scan', '--no-config', '-f', 'json', '.'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', HOME: dir },
    });
    expect(r.status, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout) as { findings: Array<{ path: string }>; errors: Array<{ path: string; message: string }> };
    expect(report.findings.map((f) => f.path)).toEqual(['deep/er/still/b.env']);
    expect(report.errors).toEqual([{ path: join(dir, 'locked'), message: 'EACCES' }]);
  });
});
