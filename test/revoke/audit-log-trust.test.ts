/**
 * Revocation appends a line to the audit log, so a scanned repository's own `.tokenward.yaml`
 * must not choose that file anywhere on disk (`revoke.auditLog: ~/.bashrc`). Untrusted, it may
 * only name a file inside its repository: a path with `..` out of it, an absolute path elsewhere
 * or a symbolic link leading out is ignored with a warning naming the key, and the default
 * `.tokenward/audit.jsonl` is used. Once trusted (`tokenward trust`), it may name any file.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { fingerprint } from '@tokenward/engine';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { LspTestClient } from '../editor/lsp-client.js';
import { FAKES, type FakeProvider } from './fake-providers.js';

let github: FakeProvider;
const stops: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  github = await FAKES.github().start();
  stops.push(() => github.stop());
});
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A repository whose configuration names `auditLog`, beside a home folder with a .bashrc (both
 * in one temporary folder, `outside`), and an empty user configuration folder (nothing trusted). */
function repoWithAuditLog(auditLog: (home: string) => string): { dir: string; home: string; outside: string; env: NodeJS.ProcessEnv } {
  const outside = testTree({ 'home/.bashrc': 'alias ll="ls -l"\n', 'repo/.git/HEAD': 'ref: refs/heads/main\n' });
  const home = join(outside, 'home');
  const dir = join(outside, 'repo');
  writeFileSync(join(dir, '.tokenward.yaml'), `revoke:\n  auditLog: ${auditLog(home)}\n`);
  return { dir, home, outside, env: { XDG_CONFIG_HOME: testTree(), HOME: home } };
}

/** `tokenward revoke --token -` of a fresh GitHub token the stand-in knows. */
async function revokeOne(dir: string, env: NodeJS.ProcessEnv): Promise<{ stderr: string; token: string; code: number | null }> {
  const token = githubToken();
  github.add(token);
  const r = await runCli(['revoke', '--token', '-', '--yes', '--no-verify', '--endpoint', `github=${github.origin}`], { cwd: dir, env, input: `${token}\n` });
  return { stderr: r.stderr, token, code: r.code };
}

const auditOf = (file: string) => readFileSync(file, 'utf8');
const REFUSED = /\.tokenward\.yaml:2: revoke\.auditLog \(.*\) ignored: a project's configuration can only keep the audit log inside its repository \(.*\) unless you trust it; the default \.tokenward\/audit\.jsonl is used; review it, then run "tokenward trust \.tokenward\.yaml"/;

describe('revoke.auditLog from an untrusted project configuration', () => {
  const escapes: [string, (home: string) => string, (dir: string) => void][] = [
    ['an absolute path elsewhere (~/.bashrc)', (home) => join(home, '.bashrc'), () => {}],
    ['a ".." out of the repository', () => 'logs/../../audit.jsonl', () => {}],
    ['a symbolic link leading out', () => 'logs/audit.jsonl', (dir) => symlinkSync(join(dir, '..'), join(dir, 'logs'))],
  ];
  for (const [name, auditLog, prepare] of escapes) {
    it(`${name}: ignored with a warning naming the key; the record goes to the default log`, async () => {
      const { dir, home, outside, env } = repoWithAuditLog(auditLog);
      prepare(dir);
      const r = await revokeOne(dir, env);
      expect(r.code).toBe(0);
      expect(github.isActive(r.token)).toBe(false);
      expect(r.stderr).toMatch(REFUSED);
      expect(auditOf(join(home, '.bashrc'))).toBe('alias ll="ls -l"\n');
      expect(existsSync(join(outside, 'audit.jsonl'))).toBe(false);
      expect(auditOf(join(dir, '.tokenward/audit.jsonl'))).toContain(fingerprint('github-pat-classic', r.token));
    });
  }

  it('a file inside the repository is used, without a warning', async () => {
    const { dir, env } = repoWithAuditLog(() => 'logs/revocations.jsonl');
    mkdirSync(join(dir, 'logs'));
    const r = await revokeOne(dir, env);
    expect(r.stderr).not.toMatch(/auditLog/);
    expect(auditOf(join(dir, 'logs/revocations.jsonl'))).toContain(fingerprint('github-pat-classic', r.token));
    expect(existsSync(join(dir, '.tokenward/audit.jsonl'))).toBe(false);
  });

  it('once trusted, the file may name a log anywhere (and trust says so)', async () => {
    const { dir, home, env } = repoWithAuditLog((h) => join(h, 'revocations.jsonl'));
    const t = await runCli(['trust'], { cwd: dir, env });
    expect(t.stdout).toContain(`It may now append revocation records outside its repository, to ${join(home, 'revocations.jsonl')} (revoke.auditLog).`);
    const r = await revokeOne(dir, env);
    expect(r.stderr).not.toMatch(/auditLog/);
    expect(auditOf(join(home, 'revocations.jsonl'))).toContain(fingerprint('github-pat-classic', r.token));
  });

  it('the language server: the audit log it reports and writes is the default one, and it says why', async () => {
    const { dir, home, env } = repoWithAuditLog((h) => join(h, '.bashrc'));
    const c = await LspTestClient.start({ root: dir, env, settings: { providerEndpoints: { github: github.origin } }, answer: () => 'Revoke' });
    stops.push(() => c.stop());
    await c.waitFor(() => c.messages.find((m) => REFUSED.test(m.message)), 'the warning naming revoke.auditLog');
    expect(await c.connection.sendRequest('tokenward/auditLogPath')).toBe(join(dir, '.tokenward/audit.jsonl'));
    const token = githubToken();
    github.add(token);
    const uri = pathToFileURL(join(dir, 'deploy.env')).href;
    await c.open(uri, `GITHUB_TOKEN=${token}\n`);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const actions = (await c.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d!.range, context: { diagnostics: [d as Diagnostic] } })) as CodeAction[];
    const revoke = actions.find((a) => a.title === 'Revoke GitHub token')!;
    expect(await c.connection.sendRequest('workspace/executeCommand', revoke.command)).toMatchObject({ status: 'revoked' });
    expect(auditOf(join(home, '.bashrc'))).toBe('alias ll="ls -l"\n');
    expect(auditOf(join(dir, '.tokenward/audit.jsonl'))).toContain(fingerprint('github-pat-classic', token));
  });
});
