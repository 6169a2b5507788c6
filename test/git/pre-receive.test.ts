import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo } from './repo.js';

describe('scan --pre-receive in a server-side hook', () => {
  it('rejects a push that adds a secret (new branch, fast-forward, force-push) and accepts a clean one', () => {
    const server = testRepo({ bare: true });
    // The documented hook (docs/ci.md), with this checkout's node and bin.
    const hook = join(server.dir, 'hooks', 'pre-receive');
    writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" scan --pre-receive --no-color\n`);
    chmodSync(hook, 0o755);
    const work = testRepo();
    const push = (refspec: string, ...options: string[]) => spawnSync('git', ['push', ...options, server.dir, refspec], { cwd: work.dir, env: gitEnv(), encoding: 'utf8' });

    work.commit('clean start', { 'README.md': 'hello\n' });
    const clean = push('main');
    expect(clean.status, clean.stderr).toBe(0);

    const token = githubToken();
    work.commit('leak', { 'deploy.sh': `export GH_TOKEN=${token}\n` });
    const leak = push('main');
    expect(leak.status).not.toBe(0);
    expect(leak.stderr).toContain('pre-receive hook declined');
    expect(leak.stderr).toContain('deploy.sh');
    expect(leak.stderr).toContain('github-pat-classic');
    expect(leak.stderr.includes(token)).toBe(false);
    // Nothing of the rejected push reached the server.
    expect(server.git('rev-list', '--all', '--count')).toBe('1');

    // The same commit on a new branch is refused too.
    expect(push('main:refs/heads/feature').status).not.toBe(0);

    // Fixed by rewriting the commit: the force-push is clean and accepted.
    work.git('reset', '-q', '--hard', 'HEAD~1');
    work.commit('deploy script', { 'deploy.sh': 'export GH_TOKEN="$(vault read -field=token secret/gh)"\n' });
    const fixed = push('main', '--force');
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(server.git('rev-list', '--all', '--count')).toBe('2');

    // Deleting a branch adds nothing and passes.
    execFileSync('git', ['push', '-q', server.dir, 'main:refs/heads/tmp'], { cwd: work.dir, env: gitEnv() });
    expect(push('tmp', '--delete').status).toBe(0);
  });
});
