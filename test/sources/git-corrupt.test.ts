import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { testRepo } from '../git/repo.js';

describe('corrupt repositories', () => {
  it('--history reports a missing blob, still reports what it could read, and exits 2', async () => {
    const repo = testRepo();
    repo.commit('add', { 'a.env': `A="${githubToken()}"\n`, 'lost.env': `B="${githubToken()}"\n` });
    const blob = repo.git('rev-parse', 'HEAD:lost.env');
    // A loose object file deleted (a disk error, an interrupted copy): git cannot read that blob.
    unlinkSync(join(repo.dir, '.git/objects', blob.slice(0, 2), blob.slice(2)));
    const r = await runCli(['scan', '--history', '-f', 'json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { path: string }) => f.path)).toEqual(['a.env']);
    expect(report.errors).toEqual([{ path: 'lost.env', message: `git object ${blob.slice(0, 12)} is missing` }]);
  });
});
