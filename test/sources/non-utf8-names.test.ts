import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { testRepo } from '../git/repo.js';

// Linux file names are bytes. A Latin-1 name (`caf\xe9.env`) decoded as UTF-8 named no file and
// the scan said "vanished during the scan" and exited 0.
describe('file names that are not UTF-8', () => {
  it('are read and reported with \\xNN escapes', async () => {
    const repo = testRepo();
    repo.commit('init', { 'README.md': 'hello\n' });
    const name = Buffer.concat([Buffer.from(join(repo.dir, 'caf')), Buffer.from([0xe9]), Buffer.from('.env')]);
    writeFileSync(name, `TOKEN="${githubToken()}"\n`);
    const r = await runCli(['scan', '-f', 'json', '.'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { path: string }) => f.path)).toEqual(['caf\\xe9.env']);
    expect(report.skipped).toEqual([]);
  });
});
