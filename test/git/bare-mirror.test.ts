import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo } from './repo.js';

describe('scan --history on a bare mirror clone', () => {
  it('scans every branch of a `git clone --mirror` (no work tree needed); --staged still wants a work tree', async () => {
    const repo = testRepo();
    const token = githubToken();
    repo.commit('init', { 'README.md': 'hello\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit('leak', { 'deploy.sh': `export GH_TOKEN=${token}\n` });
    repo.git('checkout', '-q', 'main');
    const mirror = join(repo.dir, '..', 'mirror.git');
    execFileSync('git', ['clone', '-q', '--mirror', repo.dir, mirror], { env: gitEnv() });

    const res = await runCli(['scan', '--history', '-f', 'json', mirror], { cwd: join(repo.dir, '..') });
    expect(res.code, res.stderr).toBe(1);
    const findings = (JSON.parse(res.stdout) as { findings: Array<{ ruleId: string; path: string; presentAtHead: boolean }> }).findings;
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'github-pat-classic', path: 'mirror.git/deploy.sh', presentAtHead: false })]);
    expect(res.stdout.includes(token)).toBe(false);

    const staged = await runCli(['scan', '--staged', mirror], { cwd: join(repo.dir, '..') });
    expect(staged.code).toBe(2);
    expect(staged.stderr).toContain('not a git repository');
  });
});
