/**
 * One listing for every consumer: `tokenward scan` and the editor's "Scan workspace" take their
 * files from the same source, so they report the same files — outside a git repository (every
 * file, build output included) and inside one (what git tracks or would track).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LspTestClient } from '../editor/lsp-client.js';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const clients: LspTestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

async function cliPaths(dir: string): Promise<string[]> {
  const r = await runCli(['scan', '-f', 'json', '.'], { cwd: dir });
  expect(r.code, r.stderr).toBe(1);
  return [...new Set((JSON.parse(r.stdout) as { findings: Array<{ path: string }> }).findings.map((f) => f.path))].sort();
}

async function workspacePaths(dir: string): Promise<string[]> {
  const c = await LspTestClient.start({ root: dir });
  clients.push(c);
  const result = (await c.connection.sendRequest('workspace/executeCommand', { command: 'tokenward.lsp.scanWorkspace', arguments: [] })) as { findings: number };
  const paths = [...c.diagnostics].filter(([, p]) => p.diagnostics.length > 0).map(([uri]) => uri.slice(pathToFileURL(dir).href.length + 1));
  expect(paths.length).toBeLessThanOrEqual(result.findings);
  return paths.sort();
}

function project(): string {
  return testTree({ 'dist/a.env': `GITHUB_TOKEN=${githubToken()}\n`, 'src/b.env': `GITHUB_TOKEN=${githubToken()}\n` });
}

describe('the CLI and the editor scan the same files', () => {
  it('outside a git repository: every file, dist/ included, in both', async () => {
    const dir = project();
    expect(await cliPaths(dir)).toEqual(['dist/a.env', 'src/b.env']);
    expect(await workspacePaths(dir)).toEqual(['dist/a.env', 'src/b.env']);
  });

  it("inside a git repository: git's ignores, in both", async () => {
    const dir = project();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, '.git/info/exclude'), 'dist/\n');
    expect(await cliPaths(dir)).toEqual(['src/b.env']);
    expect(await workspacePaths(dir)).toEqual(['src/b.env']);
  });
});
