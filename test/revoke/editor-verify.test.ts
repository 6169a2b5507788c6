/**
 * In the editor, with verification on: the verified state travels in the diagnostic's data, an
 * inactive token is shown faded (Unnecessary tag), and the hover shows the answer and the access
 * map of a live token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { LspTestClient } from '../editor/lsp-client.js';
import { FAKES, githubRepo, type FakeProvider } from './fake-providers.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

describe('language server with verification on', () => {
  it('diagnostic data carries "verified", inactive is faded, the hover shows what a live token reaches', async () => {
    const gh: FakeProvider = await FAKES.github().start();
    stops.push(() => gh.stop());
    const live = githubToken();
    const dead = githubToken();
    gh.add(live).add(dead, false);
    gh.account = { login: 'octocat', scopes: 'repo' };
    gh.listing = [githubRepo('acme', 'api', { push: true }), githubRepo('acme', 'web', { push: true }), githubRepo('acme', 'docs')];
    const root = testTree();
    // The endpoint comes from the user's own configuration, as a person would set it for GHES.
    const xdg = testTree();
    mkdirSync(join(xdg, 'tokenward'));
    writeFileSync(join(xdg, 'tokenward/config.yaml'), `revoke:\n  endpoints:\n    github: ${gh.origin}\n`);
    const c = await LspTestClient.start({ root, settings: { verify: true }, env: { XDG_CONFIG_HOME: xdg } });
    stops.push(() => c.stop());
    const uri = pathToFileURL(join(root, 'deploy.env')).href;
    await c.open(uri, `LIVE=${live}\nDEAD=${dead}\n`);
    const verified = (d: { data?: unknown }) => (d.data as { verified?: string } | undefined)?.verified;
    const diags = await c.diagnosticsFor(uri, (ds) => ds.length === 2 && ds.every((d) => verified(d) === 'active' || verified(d) === 'inactive'));
    const [liveDiag, deadDiag] = [diags.find((d) => verified(d) === 'active')!, diags.find((d) => verified(d) === 'inactive')!];
    expect(liveDiag.message).toMatch(/\(live\)$/);
    expect(liveDiag.tags).toBeUndefined();
    expect(deadDiag.tags).toEqual([1]);
    const hover = (await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: liveDiag.range.start })) as Hover;
    const md = (hover.contents as { value: string }).value;
    expect(md).toMatch(new RegExp(`Status \\| active \\(${new URL(gh.origin).host.replace('.', '\\.')}, HTTP 200, \\d{4}-`));
    expect(md).toContain('| account | octocat |');
    expect(md).toContain('| can write to | 2 repositories of acme |');
    expect(md).not.toContain(live);
  });
});
