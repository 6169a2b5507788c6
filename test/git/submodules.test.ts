import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo } from './repo.js';

describe('submodules', () => {
  it('a folder scan lists a checked-out submodule\'s files; --history walks its own history; --no-submodules leaves it out', async () => {
    const lib = testRepo();
    lib.commit('lib', { 'config.env': `LIB_TOKEN=${githubToken()}\n` });
    lib.commit('lib: token removed from HEAD', { 'config.env': 'LIB_TOKEN=\n', 'now.env': `NOW=${githubToken()}\n` });
    const app = testRepo();
    app.commit('app', { 'app.js': 'console.log(1)\n' });
    execFileSync('git', ['-c', 'protocol.file.allow=always', 'submodule', '-q', 'add', lib.dir, 'vendor/lib'], { cwd: app.dir, env: gitEnv() });
    app.commit('add lib', {});

    const files = await runCli(['scan', '-f', 'json', '.'], { cwd: app.dir });
    expect(files.code, files.stderr).toBe(1);
    const listed = JSON.parse(files.stdout);
    expect(listed.findings.map((f: { path: string }) => f.path)).toEqual(['vendor/lib/now.env']);
    expect(listed.skipped).toEqual([]);
    const alone = await runCli(['scan', '--no-submodules', '-f', 'json', '.'], { cwd: app.dir });
    expect(alone.code, alone.stderr).toBe(0);

    const history = await runCli(['scan', '--history', '-f', 'json', '.'], { cwd: app.dir });
    expect(history.code, history.stderr).toBe(1);
    const found = JSON.parse(history.stdout).findings.map((f: { path: string }) => f.path).sort();
    expect(found).toEqual(['vendor/lib/config.env', 'vendor/lib/now.env']);
    expect(JSON.parse(history.stdout).stats.commits).toBe(4);

    const without = await runCli(['scan', '--history', '--no-submodules', '-f', 'json', '.'], { cwd: app.dir });
    expect(without.code).toBe(0);
    expect(JSON.parse(without.stdout).stats.commits).toBe(2);
  });
});
