import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo, type TestRepo } from './repo.js';

const repo = () => testRepo();
const CLI_BIN = resolve(fileURLToPath(import.meta.url), '../../../packages/cli/bin/tokenward.js');

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

  it('husky 9: appends one portable line to the committed .husky/pre-commit, and a commit through husky is blocked', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    // The layout `husky` 9 creates: .husky/_/h runs .husky/<hook>; core.hooksPath=.husky/_.
    r.write({
      '.husky/_/h': '#!/usr/bin/env sh\ns="$(dirname "$(dirname "$0")")/$(basename "$0")"\n[ -f "$s" ] || exit 0\nsh -e "$s" "$@"\n',
      '.husky/_/pre-commit': '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n',
      '.husky/pre-commit': 'echo user-hook-ran\n',
    });
    chmodSync(join(r.dir, '.husky/_/h'), 0o755);
    chmodSync(join(r.dir, '.husky/_/pre-commit'), 0o755);
    r.git('config', 'core.hooksPath', '.husky/_');
    const res = await hook(r, 'install');
    expect(res.stdout).toContain('.husky/pre-commit (husky)');
    const text = readFileSync(join(r.dir, '.husky/pre-commit'), 'utf8');
    // The user's command stays where it was; one line is added; no path of this machine.
    expect(text).toBe('echo user-hook-ran\nnpx tokenward scan --staged\n');
    expect(existsSync(join(r.dir, '.husky/pre-commit.tokenward-chained'))).toBe(false);
    expect((await hook(r, 'install')).stdout).toContain('nothing to do');
    expect(readFileSync(join(r.dir, '.husky/pre-commit'), 'utf8')).toBe(text);
    // A project that installed tokenward has it in node_modules/.bin, where npx finds it.
    mkdirSync(join(r.dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(CLI_BIN, join(r.dir, 'node_modules/.bin/tokenward'));
    r.write({ '.gitignore': 'node_modules/\n', 'c.txt': `${githubToken()}\n` });
    r.git('add', '-A');
    const blocked = spawnSync('git', ['commit', '-q', '-m', 'leak'], { cwd: r.dir, env: gitEnv(), encoding: 'utf8' });
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain('user-hook-ran');
    expect(blocked.stderr).toContain('c.txt');
    expect(blocked.stderr).toContain('commit blocked. What to do next');
    expect(blocked.stderr).toContain('tokenward revoke c.txt');
    const un = await hook(r, 'uninstall');
    expect(un.stdout).toContain('removed "npx tokenward scan --staged"');
    expect(readFileSync(join(r.dir, '.husky/pre-commit'), 'utf8')).toBe('echo user-hook-ran\n');
  });

  it('lefthook and simple-git-hooks: nothing written, the line to add is printed', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n', 'lefthook.yml': 'pre-commit:\n  commands: {}\n' });
    const res = await hook(r, 'install');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('managed by lefthook (lefthook.yml)');
    expect(res.stdout).toContain('run: npx tokenward scan --staged');
    expect(existsSync(join(r.dir, '.git/hooks/pre-commit'))).toBe(false);
    const s = repo();
    s.commit('base', { 'package.json': JSON.stringify({ name: 'x', 'simple-git-hooks': { 'pre-commit': 'npx lint-staged' } }) });
    const sgh = await hook(s, 'install');
    expect(sgh.stdout).toContain('managed by simple-git-hooks (package.json ("simple-git-hooks"))');
    expect(sgh.stdout).toContain('"pre-commit": "npx lint-staged && npx tokenward scan --staged"');
    expect(existsSync(join(s.dir, '.git/hooks/pre-commit'))).toBe(false);
  });

  it('a committed hooks folder (core.hooksPath in the work tree) gets no absolute path', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    r.git('config', 'core.hooksPath', '.githooks');
    await hook(r, 'install');
    const script = readFileSync(join(r.dir, '.githooks/pre-commit'), 'utf8');
    expect(script).not.toContain(process.execPath);
    expect(script).not.toContain(CLI_BIN);
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
