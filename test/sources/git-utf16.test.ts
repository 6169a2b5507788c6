import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { testRepo } from '../git/repo.js';

// UTF-16 was transcoded by `scan .` only: the pre-commit path (--staged) and --history counted
// the same file binary and reported nothing.
describe('UTF-16 in git sources', () => {
  for (const bom of [true, false]) {
    it(`--staged and --history find a token in UTF-16LE ${bom ? 'with' : 'without'} a BOM`, async () => {
      const repo = testRepo();
      repo.commit('init', { 'README.md': 'hello\n' });
      const text = Buffer.from(`# exported\nTOKEN=${githubToken()}\n`, 'utf16le');
      writeFileSync(join(repo.dir, 'export.txt'), bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), text]) : text);
      repo.git('add', 'export.txt');
      const staged = await runCli(['scan', '--staged', '-f', 'json'], { cwd: repo.dir });
      expect(staged.code, staged.stderr).toBe(1);
      expect(JSON.parse(staged.stdout).findings).toHaveLength(1);
      repo.git('commit', '-q', '--no-verify', '-m', 'add export');
      const history = await runCli(['scan', '--history', '-f', 'json'], { cwd: repo.dir });
      expect(history.code, history.stderr).toBe(1);
      expect(JSON.parse(history.stdout).findings).toHaveLength(1);
    });
  }
});
