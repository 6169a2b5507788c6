/**
 * The language server as the VS Code extension ships it: one esbuild bundle plus the rules, copied
 * away from the repository (no node_modules to fall back on). Catches dependencies the bundle
 * misses, such as modules loaded lazily on first use (yaml, ajv, the JS and TS parsers).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { LspTestClient } from './lsp-client.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function build(outdir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'packages/vscode/build.mjs'), '--outdir', outdir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`build.mjs exited ${code}: ${out}`))));
  });
}

describe('bundled language server (packages/vscode/dist/server.mjs)', () => {
  it('runs on its own and scans JS/TS through the bundled parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-bundle-'));
    dirs.push(dir);
    await build(dir);
    const ws = join(dir, 'ws');
    mkdirSync(ws);
    const c = await LspTestClient.start({ root: ws, command: [process.execPath, join(dir, 'server.mjs'), '--rules-dir', join(dir, 'rules'), '--stdio'] });
    try {
      const uri = pathToFileURL(join(ws, 'app.ts')).href;
      const token = githubToken();
      await c.open(uri, `const password = "hunter2-Xq9!vLp3#Zt7";\nconst k = "${token}";\n`, 'typescript');
      const ds = await c.diagnosticsFor(uri, (d) => d.length >= 2);
      expect(ds.map((d) => d.code)).toEqual(expect.arrayContaining(['github-pat-classic']));
      expect(ds.some((d) => d.range.start.line === 0)).toBe(true);
      // Plain JavaScript goes through the other parser (espree + eslint-scope): bundled too. Only
      // the syntax tree follows `msg` to its literal.
      const js = pathToFileURL(join(ws, 'app.js')).href;
      await c.open(js, "const msg = 'Lq9Zx3Vm7Rt2Wn5Kb8Pd';\nconst h = { Authorization: `Bearer ${msg}` };\n", 'javascript');
      expect((await c.diagnosticsFor(js, (d) => d.length >= 1)).map((d) => d.code)).toEqual(['generic-js-secret-reference']);
      expect(c.stderr.join('')).not.toMatch(/Cannot find module|is not defined/);
    } finally {
      expect(await c.stop()).toBe(0);
    }
  });
});
