import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo, type TestRepo } from './repo.js';

const repo = () => testRepo();

/** `git commit` as a user runs it: hooks included. */
function gitCommit(r: TestRepo, message: string): { code: number | null; stderr: string } {
  const res = spawnSync('git', ['commit', '-q', '-m', message], { cwd: r.dir, env: gitEnv(), encoding: 'utf8' });
  return { code: res.status, stderr: res.stderr };
}

const hook = (r: TestRepo, ...args: string[]) => runCli(['hook', ...args], { cwd: r.dir, env: gitEnv() });

describe('tokenward hook', () => {
  it('pre-commit: blocks a commit with a staged secret and lets a clean one through', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    const res = await hook(r, 'install');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/installed pre-commit hook at \.git\/hooks\/pre-commit/);
    r.write({ 'b.txt': 'clean\n' });
    r.git('add', '-A');
    expect(gitCommit(r, 'clean').code).toBe(0);
    r.write({ 'c.txt': `${githubToken()}\n` });
    r.git('add', '-A');
    const blocked = gitCommit(r, 'leak');
    expect(blocked.code).not.toBe(0);
    // Stopped by the finding (git shows hook output on stderr), not by a missing tool.
    expect(blocked.stderr).toContain('c.txt');
    expect(blocked.stderr).toContain('1 secret found');
    expect(r.git('log', '--format=%s', '-1')).toBe('clean');
  });

  it('chains an existing hook instead of overwriting it, and uninstall restores it', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    const hooks = join(r.dir, '.git', 'hooks');
    mkdirSync(hooks, { recursive: true });
    const original = `#!/bin/sh\necho ran >> "${join(r.dir, '..', 'existing-ran')}"\n`;
    writeFileSync(join(hooks, 'pre-commit'), original);
    chmodSync(join(hooks, 'pre-commit'), 0o755);
    const res = await hook(r, 'install');
    expect(res.stdout).toContain('existing hook is kept as .git/hooks/pre-commit.tokenward-chained');
    expect(readFileSync(join(hooks, 'pre-commit.tokenward-chained'), 'utf8')).toBe(original);
    r.write({ 'b.txt': 'clean\n' });
    r.git('add', '-A');
    expect(gitCommit(r, 'clean').code).toBe(0);
    expect(readFileSync(join(r.dir, '..', 'existing-ran'), 'utf8')).toBe('ran\n');
    r.write({ 'c.txt': `${githubToken()}\n` });
    r.git('add', '-A');
    expect(gitCommit(r, 'leak').stderr).toContain('c.txt');
    // Installing twice updates ours and keeps the chained hook.
    expect((await hook(r, 'install')).stdout).toContain('(updated)');
    const un = await hook(r, 'uninstall');
    expect(un.stdout).toContain('the previous hook is back');
    expect(readFileSync(join(hooks, 'pre-commit'), 'utf8')).toBe(original);
    expect(existsSync(join(hooks, 'pre-commit.tokenward-chained'))).toBe(false);
    // A hook we did not write is never removed.
    expect((await hook(r, 'uninstall')).stdout).toContain('not installed by tokenward');
  });

  it('a failing existing hook still stops the commit', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    const hooks = join(r.dir, '.git', 'hooks');
    mkdirSync(hooks, { recursive: true });
    writeFileSync(join(hooks, 'pre-commit'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(hooks, 'pre-commit'), 0o755);
    await hook(r, 'install');
    r.write({ 'b.txt': 'clean\n' });
    r.git('add', '-A');
    expect(gitCommit(r, 'clean').code).not.toBe(0);
  });

  it('honours core.hooksPath', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    r.git('config', 'core.hooksPath', '.githooks');
    const res = await hook(r, 'install');
    expect(res.stdout).toContain('.githooks/pre-commit (core.hooksPath=.githooks)');
    expect(existsSync(join(r.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    r.write({ 'c.txt': `${githubToken()}\n` });
    r.git('add', '-A');
    const blocked = gitCommit(r, 'leak');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('c.txt');
  });

  it('husky 9: writes the user hook in .husky, not the generated .husky/_', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    // The layout `husky` 9 creates: .husky/_/h runs .husky/<hook>; core.hooksPath=.husky/_.
    r.write({
      '.husky/_/h': '#!/usr/bin/env sh\ns="$(dirname "$(dirname "$0")")/$(basename "$0")"\n[ -f "$s" ] || exit 0\nsh -e "$s" "$@"\n',
      '.husky/_/pre-commit': '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n',
      '.husky/pre-commit': 'npm test\n',
    });
    chmodSync(join(r.dir, '.husky/_/h'), 0o755);
    chmodSync(join(r.dir, '.husky/_/pre-commit'), 0o755);
    r.git('config', 'core.hooksPath', '.husky/_');
    const res = await hook(r, 'install');
    expect(res.stdout).toContain('.husky/pre-commit (husky)');
    expect(readFileSync(join(r.dir, '.husky/pre-commit.tokenward-chained'), 'utf8')).toBe('npm test\n');
    expect(readFileSync(join(r.dir, '.husky/pre-commit'), 'utf8')).toContain('# tokenward-hook');
  });

  it('pre-push: a push with a secret in a pushed commit is refused', async () => {
    const r = repo();
    const remote = join(r.dir, '..', 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote], { env: gitEnv() });
    r.commit('base', { 'a.txt': 'a\n' });
    r.git('remote', 'add', 'origin', remote);
    r.git('push', '-q', 'origin', 'main');
    expect((await hook(r, 'install', '--pre-push')).stdout).toContain('installed pre-push hook');
    r.commit('clean', { 'b.txt': 'b\n' });
    expect(spawnSync('git', ['push', '-q', 'origin', 'main'], { cwd: r.dir, env: gitEnv() }).status).toBe(0);
    r.commit('leak', { 'c.txt': `${githubToken()}\n` });
    const push = spawnSync('git', ['push', '-q', 'origin', 'main'], { cwd: r.dir, env: gitEnv(), encoding: 'utf8' });
    expect(push.status).not.toBe(0);
    expect(push.stdout + push.stderr).toContain('c.txt');
    const remoteHead = execFileSync('git', ['rev-parse', 'main'], { cwd: remote, env: gitEnv(), encoding: 'utf8' }).trim();
    expect(remoteHead).toBe(r.git('rev-parse', 'HEAD~1'));
  });

  it('bad input: unknown action, not a repository', async () => {
    const r = repo();
    const bad = await hook(r, 'instal');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected "install" or "uninstall", got "instal"/);
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    const none = await runCli(['hook', 'install'], { cwd: dir, env: gitEnv() });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('tokenward: not a git repository: .\n');
  });
});
