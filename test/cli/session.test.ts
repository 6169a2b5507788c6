/**
 * One scan session per command: the configuration is read once, even by commands that scan and
 * then act (`revoke`, `verify`, `scan --verify`, `scan --revoke-policy`). The configuration is a
 * named pipe here, which can be read only once: a second read would wait for a writer forever.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli, testTree } from '../helpers/cli.js';

/** A folder with no secret and a configuration that can be read exactly once. */
function readOnce(): { dir: string; fifo: string } {
  const dir = testTree({ 'app.ts': 'export const x = 1;\n' });
  const fifo = join(dir, 'tokenward-config.yaml');
  execFileSync('mkfifo', [fifo]);
  // Opening a pipe for writing waits for its reader: this write happens when the CLI reads.
  createWriteStream(fifo).end('minConfidence: low\n');
  return { dir, fifo };
}

describe.skipIf(process.platform === 'win32')('the configuration is loaded once per command', () => {
  for (const args of [['scan', '--verify'], ['scan', '--revoke-policy'], ['revoke'], ['verify']]) {
    it(`tokenward ${args.join(' ')}`, async () => {
      const { dir, fifo } = readOnce();
      const r = await spawnCli([...args, '--config', fifo, '.'], { cwd: dir, timeoutMs: 15_000 });
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code, `${args.join(' ')} read the configuration twice (it waited on the pipe)`).toBe(0);
    });
  }
});
