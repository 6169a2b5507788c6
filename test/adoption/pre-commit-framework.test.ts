import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, makeRepo } from '../git/repo.js';
import { run, withoutNpmConfig } from './run.js';

/**
 * The real pre-commit framework (Debian's package, installed by scripts/setup-test-tools.sh) using
 * this repository as a hook repository, the way a user's .pre-commit-config.yaml does: it builds
 * the `language: node` hook from the repository itself (npm install, npm pack, npm install -g).
 */
function preCommitVersion(): string {
  const res = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error('pre-commit is not installed: run `bash scripts/setup-test-tools.sh` (npm test does it first)');
  return res.stdout.trim();
}

/** A git repository holding this working tree's files (committed or not), as a hook repository. */
function hookRepository(): { dir: string; rev: string } {
  const dir = testTree();
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      copyFileSync(join(REPO_ROOT, f), join(dir, f));
    } catch {
      // deleted in the working tree but still in the index
    }
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv(), encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'hook repository');
  return { dir, rev: git('rev-parse', 'HEAD') };
}

describe('pre-commit framework', () => {
  it('the node hook blocks a commit with a staged token and lets it through after removal; the pre-push hook blocks the push', { timeout: 900_000 }, async () => {
    expect(preCommitVersion()).toMatch(/^pre-commit \d+\.\d+/);
    const hooks = hookRepository();
    const home = testTree();
    const r = makeRepo();
    const env = withoutNpmConfig(gitEnv({ PRE_COMMIT_HOME: home }));
    const sh = (cmd: string, args: string[]) => run(cmd, args, { cwd: r.dir, env });
    r.commit('config', {
      '.pre-commit-config.yaml': `repos:\n  - repo: ${hooks.dir}\n    rev: ${hooks.rev}\n    hooks:\n      - id: tokenward\n      - id: tokenward-pre-push\n`,
      'README.md': 'app\n',
    });
    expect((await sh('pre-commit', ['install', '-t', 'pre-commit', '-t', 'pre-push'])).status).toBe(0);

    const token = githubToken();
    writeFileSync(join(r.dir, 'settings.py'), `GITHUB_TOKEN = "${token}"\n`);
    r.git('add', 'settings.py');
    const blocked = await sh('git', ['commit', '-m', 'leak']);
    const out = blocked.stdout + blocked.stderr;
    expect(blocked.status, out).not.toBe(0);
    expect(out).toMatch(/tokenward \(leaked tokens in staged changes\)\.*Failed/);
    expect(out).toContain('settings.py');
    expect(out).not.toContain(token);
    expect(r.git('log', '--format=%s')).toBe('config');

    writeFileSync(join(r.dir, 'settings.py'), 'import os\nGITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n');
    r.git('add', 'settings.py');
    const allowed = await sh('git', ['commit', '-m', 'read it from the environment']);
    expect(allowed.status, allowed.stdout + allowed.stderr).toBe(0);
    // The pre-push hook has no stage pinned: at commit time it ran and scanned nothing.
    expect(allowed.stdout + allowed.stderr).toMatch(/tokenward \(leaked tokens in pushed commits\)\.*Passed/);

    // A commit that bypassed the commit hook is stopped at push time.
    const remote = makeRepo({ bare: true });
    r.git('remote', 'add', 'origin', remote.dir);
    expect((await sh('git', ['push', '-q', 'origin', 'main'])).status).toBe(0);
    writeFileSync(join(r.dir, 'deploy.sh'), `curl -H "Authorization: token ${token}" https://api.github.com/user\n`);
    r.git('add', 'deploy.sh');
    expect((await sh('git', ['commit', '-q', '--no-verify', '-m', 'deploy script'])).status).toBe(0);
    const push = await sh('git', ['push', 'origin', 'main']);
    expect(push.status, push.stdout + push.stderr).not.toBe(0);
    expect(push.stdout + push.stderr).toContain('deploy.sh');
    expect(remote.git('log', '--format=%s', '-1', 'main')).toBe('read it from the environment');
  });
});
