/**
 * Protocol tests: `tokenward lsp --stdio` in a real process, driven by a real JSON-RPC client.
 * Every request and code action a user can trigger, against real files and a stand-in provider.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Hover, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { fingerprint } from '@tokenward/engine';
import { writeBaseline } from '@tokenward/project';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { LspTestClient } from './lsp-client.js';
import { startStandinGitHub, type StandinGitHub } from './standin-github.js';

const WISE_UUID = '722659e0-3d4a-b850-fb55-461d3ec90736';

let root: string;
let github: StandinGitHub;
const clients: LspTestClient[] = [];

beforeAll(async () => {
  github = await startStandinGitHub();
});
afterAll(async () => {
  await github.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  if (root) rmSync(root, { recursive: true, force: true });
});

function workspace(): string {
  root = mkdtempSync(join(tmpdir(), 'tw-lsp-'));
  return root;
}

async function client(settings: Record<string, unknown> = {}, answer?: (req: { message: string; actions?: { title: string }[] }) => string | null): Promise<LspTestClient> {
  const c = await LspTestClient.start({ root, settings: { providerEndpoints: { github: github.url }, ...settings }, ...(answer ? { answer } : {}) });
  clients.push(c);
  return c;
}

const uriOf = (name: string) => pathToFileURL(join(root, name)).href;

async function codeActions(c: LspTestClient, uri: string, diag: Diagnostic): Promise<CodeAction[]> {
  return (await c.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: diag.range,
    context: { diagnostics: [diag], only: undefined },
  })) as CodeAction[];
}

function applyEdit(text: string, uri: string, edit: WorkspaceEdit | undefined): string {
  const edits = (edit?.changes?.[uri] ?? []) as TextEdit[];
  expect(edits.length).toBeGreaterThan(0);
  return TextDocument.applyEdits(TextDocument.create(uri, 'x', 1, text), edits);
}

describe('tokenward lsp --stdio', () => {
  it('initializes with incremental sync, hover, code actions and commands', async () => {
    workspace();
    const c = await client();
    const caps = c.initializeResult.capabilities;
    expect(caps.textDocumentSync).toMatchObject({ openClose: true, change: 2 });
    expect(caps.hoverProvider).toBe(true);
    expect(caps.codeActionProvider).toBeTruthy();
    expect(caps.executeCommandProvider?.commands).toEqual(expect.arrayContaining(['tokenward.lsp.revoke', 'tokenward.lsp.scanWorkspace', 'tokenward.lsp.addToBaseline']));
    expect(c.initializeResult.serverInfo?.name).toBe('tokenward');
    expect(await c.stop()).toBe(0);
  });

  it('publishes redacted diagnostics on open, follows incremental edits of an unsaved buffer, clears on close', async () => {
    workspace();
    const c = await client();
    const token = githubToken();
    const second = githubToken();
    const uri = uriOf('never-saved.ts');
    const text = `const a = 1;\nconst t = "${token}";\n`;
    await c.open(uri, text, 'typescript');
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    expect(d!.range).toEqual({ start: { line: 1, character: 11 }, end: { line: 1, character: 11 + token.length } });
    expect(d!.severity).toBe(1);
    expect(d!.source).toBe('tokenward');
    expect(d!.code).toBe('github-pat-classic');
    expect(d!.message).toContain(`ghp_****…${token.slice(-4)}`);
    expect(JSON.stringify(d)).not.toContain(token);
    expect((d!.data as { key: string }).key).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // Type a second token on line 0 (UTF-16 columns: an emoji before it counts two units).
    await c.change(uri, { start: { line: 0, character: 12 }, end: { line: 0, character: 12 } }, ` // 🔑 ${second}`);
    const two = await c.diagnosticsFor(uri, (ds) => ds.length === 2);
    const onFirst = two.find((x) => x.range.start.line === 0)!;
    expect(onFirst.range.start.character).toBe(12 + ' // 🔑 '.length);
    expect(onFirst.message).toContain(second.slice(-4));

    // Delete the first token's line.
    await c.change(uri, { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, '');
    const one = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    expect(one[0]!.range.start.line).toBe(0);

    const stats = (await c.connection.sendRequest('tokenward/documentStats', { uri })) as { findings: number; analysisMs: number; version: number };
    expect(stats.findings).toBe(1);
    expect(stats.version).toBe(c.version(uri));
    expect(stats.analysisMs).toBeGreaterThanOrEqual(0);

    await c.close(uri);
    await c.waitFor(() => c.diagnostics.get(uri)?.diagnostics.length === 0, 'cleared diagnostics');
  });

  it('honours inline ignores and the configuration like the CLI', async () => {
    workspace();
    const allowed = githubToken();
    writeFileSync(join(root, '.tokenward.yaml'), `allow:\n  - value: ${allowed}\n    reason: documented example\n`);
    const c = await client();
    const uri = uriOf('a.py');
    const shown = githubToken();
    await c.open(uri, `x = "${githubToken()}"  # tokenward:allow\n# gitleaks:allow\ny = "${allowed}"\nz = "${shown}"\n`, 'python');
    const ds = await c.diagnosticsFor(uri);
    expect(ds.map((d) => d.range.start.line)).toEqual([3]);
    const stats = (await c.connection.sendRequest('tokenward/documentStats', { uri })) as { suppressed: number };
    expect(stats.suppressed).toBe(2);
  });

  it('applies settings: severity and enable', async () => {
    workspace();
    const c = await client({ severity: 'warning' });
    const uri = uriOf('s.txt');
    await c.open(uri, `token ${githubToken()}\n`);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    expect(d!.severity).toBe(2);
    await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: { tokenward: { enable: false } } });
    await c.waitFor(() => c.diagnostics.get(uri)?.diagnostics.length === 0, 'diagnostics removed when disabled');
    await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: { tokenward: { enable: true, severity: 'information' } } });
    await c.waitFor(() => c.diagnostics.get(uri)?.diagnostics[0]?.severity === 3, 'information severity');
  });

  it('hovers with rule, provider, confidence, redacted value, status and how to rotate', async () => {
    workspace();
    const c = await client();
    const token = githubToken();
    const uri = uriOf('h.js');
    await c.open(uri, `fetch(url, { headers: { Authorization: "token ${token}" } })\n`, 'javascript');
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const hover = (await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: d!.range.start.character + 5 } })) as Hover;
    const md = (hover.contents as { value: string }).value;
    expect(md).toContain('`github-pat-classic`');
    expect(md).toContain('GitHub');
    expect(md).toMatch(/Confidence \| high/);
    expect(md).toContain(`ghp_****…${token.slice(-4)}`);
    expect(md).toMatch(/Status \| not checked/);
    expect(md).toMatch(/How to rotate:.*Personal access tokens/);
    expect(md).not.toContain(token);
    const none = await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    expect(none).toBeNull();
  });

  it('verifies with the provider when enabled and shows the status', async () => {
    workspace();
    const c = await client({ verify: true });
    const uri = uriOf('v.txt');
    const token = githubToken();
    await c.open(uri, `${token}\n`);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds[0]?.message.endsWith('(live)') === true);
    // The state travels in `data`, for clients that must not parse message text.
    expect(d!.data).toMatchObject({ ruleId: 'github-pat-classic', state: 'active' });
    expect(github.requests.some((r) => r.method === 'GET' && r.path === '/user')).toBe(true);
    const hover = (await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: d!.range.start })) as Hover;
    expect((hover.contents as { value: string }).value).toMatch(/Status \| active/);
  });

  it('revokes after confirmation: stand-in provider called, audit log written, diagnostic becomes a "revoked" hint', async () => {
    workspace();
    const asked: string[] = [];
    const c = await client({}, (req) => {
      asked.push(req.message);
      return req.actions?.some((a) => a.title === 'Revoke') ? 'Revoke' : null;
    });
    const token = githubToken();
    const uri = uriOf('deploy.sh');
    await c.open(uri, `export GITHUB_TOKEN='${token}'\n`, 'shellscript');
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    expect(d!.data).toMatchObject({ state: 'unchecked' });
    const actions = await codeActions(c, uri, d!);
    const revoke = actions.find((a) => a.title === 'Revoke GitHub token')!;
    expect(revoke).toBeDefined();
    expect(JSON.stringify(actions)).not.toContain(token);
    const result = (await c.connection.sendRequest('workspace/executeCommand', revoke.command)) as { status: string; detail: string };
    expect(result.status).toBe('revoked');
    expect(asked[0]).toContain('Revoke GitHub token ghp_****');
    expect(asked[0]).toContain('POST 127.0.0.1');
    expect(asked[0]).not.toContain(token);
    expect(github.revoked).toContain(token);
    const [after] = await c.diagnosticsFor(uri, (ds) => ds[0]?.severity === 4);
    expect(after!.message).toMatch(/^revoked: GitHub token ghp_\*\*\*\*…/);
    expect(after!.data).toEqual({ key: (d!.data as { key: string }).key, ruleId: 'github-pat-classic', state: 'revoked', verified: 'inactive' });
    // The audit log, which outlives the server, holds the fingerprint (never the server's key).
    const audit = readFileSync(join(root, '.tokenward/audit.jsonl'), 'utf8');
    expect(audit).toContain(fingerprint('github-pat-classic', token));
    expect(audit).not.toContain((d!.data as { key: string }).key);
    expect(audit).toContain('"outcome":"revoked"');
    expect(audit).not.toContain(token);
    const auditPath = await c.connection.sendRequest('tokenward/auditLogPath');
    expect(auditPath).toBe(join(root, '.tokenward/audit.jsonl'));
    // No second revoke offered once revoked.
    const again = await codeActions(c, uri, after!);
    expect(again.map((a) => a.title)).not.toContain('Revoke GitHub token');
  });

  it('does nothing when the revocation is not confirmed', async () => {
    workspace();
    const c = await client({}, () => 'Cancel');
    const token = githubToken();
    const uri = uriOf('c.txt');
    await c.open(uri, `${token}\n`);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const revoke = (await codeActions(c, uri, d!)).find((a) => a.title.startsWith('Revoke'))!;
    const result = (await c.connection.sendRequest('workspace/executeCommand', revoke.command)) as { status: string };
    expect(result.status).toBe('cancelled');
    expect(github.revoked).not.toContain(token);
    expect(existsSync(join(root, '.tokenward/audit.jsonl'))).toBe(false);
  });

  it('reports a provider failure instead of pretending', async () => {
    workspace();
    const c = await client({ providerEndpoints: { github: 'http://127.0.0.1:9' } });
    const uri = uriOf('f.txt');
    const token = githubToken();
    await c.open(uri, `${token}\n`);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const revoke = (await codeActions(c, uri, d!)).find((a) => a.title.startsWith('Revoke'))!;
    const result = (await c.connection.sendRequest('workspace/executeCommand', revoke.command)) as { status: string; detail: string };
    expect(result.status).toBe('failed');
    expect(result.detail).toMatch(/cannot reach 127\.0\.0\.1:9/);
    await c.waitFor(() => c.messages.find((m) => m.type === 1 && /failed/.test(m.message) && !m.message.includes(token)), 'error message');
    expect(c.diagnostics.get(uri)!.diagnostics[0]!.severity).toBe(1);
  });

  it('shows how to revoke for providers without an API (Wise)', async () => {
    workspace();
    const c = await client();
    const uri = uriOf('.env.production');
    await c.open(uri, `WISE_API_TOKEN=${WISE_UUID}\n`, 'dotenv');
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const titles = (await codeActions(c, uri, d!)).map((a) => a.title);
    expect(titles).toContain('Show how to revoke Wise token');
    expect(titles).not.toContain('Revoke Wise token');
    // A dotenv file is where the value belongs: no env-var rewrite there.
    expect(titles.some((t) => t.startsWith('Replace with environment variable'))).toBe(false);
    const show = (await codeActions(c, uri, d!)).find((a) => a.title === 'Show how to revoke Wise token')!;
    const result = (await c.connection.sendRequest('workspace/executeCommand', show.command)) as { status: string; detail: string };
    expect(result.status).toBe('manual');
    expect(c.messageRequests.at(-1)!.message).toMatch(/Wise\.com > Your Account > Integrations and Tools > API tokens/);
    expect(c.messageRequests.at(-1)!.actions).toEqual([{ title: 'Open documentation' }]);
  });

  it.each([
    ['typescript', 'app.ts', (t: string) => `const githubToken = "${t}";\n`, 'const githubToken = process.env.GITHUB_TOKEN;\n'],
    ['javascript', 'url.js', (t: string) => `const u = "https://x:${t}@github.com/o/r";\n`, 'const u = "https://x:" + process.env.GITHUB_TOKEN + "@github.com/o/r";\n'],
    ['python', 'cfg.py', (t: string) => `#!/usr/bin/env python3\nAPI_KEY = '${t}'\n`, '#!/usr/bin/env python3\nimport os\nAPI_KEY = os.environ["API_KEY"]\n'],
    ['shellscript', 'run.sh', (t: string) => `curl -H 'Authorization: token ${t}' https://api.github.com\n`, 'curl -H "Authorization: token ${GITHUB_TOKEN}" https://api.github.com\n'],
    ['yaml', 'ci.yml', (t: string) => `env:\n  GH_TOKEN: ${t}\n`, 'env:\n  GH_TOKEN: ${GH_TOKEN}\n'],
    ['go', 'main.go', (t: string) => `token := "${t}"\n`, 'token := os.Getenv("TOKEN")\n'],
  ])('replaces the token with an environment variable (%s)', async (languageId, file, make, expected) => {
    workspace();
    const c = await client();
    const uri = uriOf(file);
    const text = make(githubToken());
    await c.open(uri, text, languageId);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const action = (await codeActions(c, uri, d!)).find((a) => a.title.startsWith('Replace with environment variable'))!;
    expect(action).toBeDefined();
    const edited = applyEdit(text, uri, action.edit);
    expect(edited).toBe(expected);
    // After the edit the buffer holds no token.
    await c.change(uri, { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } }, edited);
    await c.diagnosticsFor(uri, (ds) => ds.length === 0);
  });

  it.each([
    ['javascript', 'i.js', '// tokenward:allow'],
    ['python', 'i.py', '# tokenward:allow'],
    ['html', 'i.html', '<!-- tokenward:allow -->'],
    ['sql', 'i.sql', '-- tokenward:allow'],
  ])('ignores the line with the file\'s comment syntax (%s)', async (languageId, file, comment) => {
    workspace();
    const c = await client();
    const uri = uriOf(file);
    const text = `x ${githubToken()}\n`;
    await c.open(uri, text, languageId);
    const [d] = await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const action = (await codeActions(c, uri, d!)).find((a) => a.title.startsWith('Ignore this line'))!;
    const edited = applyEdit(text, uri, action.edit);
    expect(edited.split('\n')[0]!.endsWith(` ${comment}`)).toBe(true);
    await c.change(uri, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, edited);
    await c.diagnosticsFor(uri, (ds) => ds.length === 0);
  });

  it('adds a finding to the baseline (fingerprint only) and hides it everywhere', async () => {
    workspace();
    const c = await client();
    const token = githubToken();
    const a = uriOf('a.txt');
    const b = uriOf('b.txt');
    await c.open(a, `${token}\n`);
    await c.open(b, `same token elsewhere: ${token}\n`);
    const [d] = await c.diagnosticsFor(a, (ds) => ds.length === 1);
    await c.diagnosticsFor(b, (ds) => ds.length === 1);
    const action = (await codeActions(c, a, d!)).find((x) => x.title === 'Add to baseline')!;
    const result = (await c.connection.sendRequest('workspace/executeCommand', action.command)) as { status: string; detail: string };
    expect(result).toEqual({ status: 'baselined', detail: join(root, '.tokenward-baseline.json') });
    const baseline = JSON.parse(readFileSync(join(root, '.tokenward-baseline.json'), 'utf8'));
    expect(baseline.entries).toEqual([{ fingerprint: fingerprint('github-pat-classic', token), ruleId: 'github-pat-classic', path: 'a.txt' }]);
    expect(JSON.stringify(baseline)).not.toContain(token);
    await c.diagnosticsFor(a, (ds) => ds.length === 0);
    await c.waitFor(() => c.diagnostics.get(b)?.diagnostics.length === 0, 'b.txt cleared too');
  });

  it('names a secret in diagnostic data by a key that means nothing outside the server, not by its fingerprint', async () => {
    workspace();
    const token = githubToken();
    const first = await client();
    await first.open(uriOf('a.txt'), `${token}\n`);
    await first.open(uriOf('b.txt'), `again: ${token}\n`);
    const [a] = await first.diagnosticsFor(uriOf('a.txt'), (ds) => ds.length === 1);
    const [b] = await first.diagnosticsFor(uriOf('b.txt'), (ds) => ds.length === 1);
    const key = (a!.data as { key: string }).key;
    // One secret, one key in a server: its commands and state find it wherever it is.
    expect((b!.data as { key: string }).key).toBe(key);
    // Not the fingerprint (a scrypt per secret, and checkable against guesses anywhere): another
    // server names the same secret differently.
    expect(JSON.stringify(a!.data)).not.toContain(fingerprint('github-pat-classic', token));
    const second = await client();
    await second.open(uriOf('a.txt'), `${token}\n`);
    const [again] = await second.diagnosticsFor(uriOf('a.txt'), (ds) => ds.length === 1);
    expect((again!.data as { key: string }).key).not.toBe(key);
  });

  it('explains on hover why a secret is hidden, in the words of scan --show-suppressed, and keeps it out of Problems', async () => {
    workspace();
    const [inline, allowed, baselined, ignored, legacy] = [githubToken(), githubToken(), githubToken(), githubToken(), githubToken()];
    writeFileSync(join(root, '.tokenward.yaml'), `ignorePaths:\n  - generated/\nallow:\n  - value: ${allowed}\n    reason: documented example\n`);
    writeBaseline(join(root, '.tokenward-baseline.json'), [{ fingerprint: fingerprint('github-pat-classic', baselined), ruleId: 'github-pat-classic', path: 'baselined.txt', note: 'accepted in review' }]);
    writeFileSync(join(root, '.gitleaksignore'), 'legacy.txt:github-pat-classic:2\n');
    const files: Record<string, [text: string, token: string]> = {
      'inline.py': [`token = "${inline}"  # tokenward:allow\n`, inline],
      'allowed.txt': [`example ${allowed}\n`, allowed],
      'baselined.txt': [`${baselined}\n`, baselined],
      'generated/out.js': [`const t = "${ignored}";\n`, ignored],
      'legacy.txt': [`old token:\n  ${legacy}\n`, legacy],
    };
    mkdirSync(join(root, 'generated'));
    for (const [name, [text]] of Object.entries(files)) writeFileSync(join(root, name), text);
    const cli = await runCli(['scan', '--show-suppressed', '-f', 'json', '.'], { cwd: root });
    const said = new Map<string, string>(JSON.parse(cli.stdout).suppressed.map((x: { path: string; suppression: { description: string } }) => [x.path, x.suppression.description]));
    // (The configuration names the allowed value, so it is listed too.)
    expect([...said.keys()].sort()).toEqual(['.tokenward.yaml', ...Object.keys(files)].sort());

    const c = await client();
    for (const [name, [text, token]] of Object.entries(files)) {
      const uri = uriOf(name);
      await c.open(uri, text);
      expect(await c.diagnosticsFor(uri)).toEqual([]);
      const line = text.split('\n').findIndex((l) => l.includes(token));
      const hover = (await c.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: text.split('\n')[line]!.indexOf(token) + 5 } })) as Hover | null;
      expect(hover, name).not.toBeNull();
      expect((hover!.contents as { kind: string }).kind).toBe('plaintext');
      const [why, what] = (hover!.contents as { value: string }).value.split('\n');
      expect(why).toBe(`Tokenward: hidden — ${said.get(name)}`);
      expect(what).toBe(`GitHub personal access token (classic) (github-pat-classic): ghp_****…${token.slice(-4)}`);
      expect(JSON.stringify(hover)).not.toContain(token);
    }
    // Nothing hidden where nothing is written.
    expect(await c.connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf('inline.py') }, position: { line: 0, character: 1 } })).toBeNull();
  });

  it('scans the workspace with $/progress and fills diagnostics for unopened files', async () => {
    workspace();
    // A repository whose ignores keep node_modules out, as `tokenward scan` honours them.
    execFileSync('git', ['init', '-q'], { cwd: root });
    writeFileSync(join(root, '.git/info/exclude'), 'node_modules/\n');
    mkdirSync(join(root, 'src'));
    mkdirSync(join(root, 'node_modules/pkg'), { recursive: true });
    const token = githubToken();
    writeFileSync(join(root, 'src/config.js'), `module.exports = { token: "${token}" };\n`);
    writeFileSync(join(root, 'src/clean.js'), 'module.exports = {};\n');
    writeFileSync(join(root, 'node_modules/pkg/index.js'), `"${githubToken()}"\n`);
    writeFileSync(join(root, 'notes.md'), `WISE_API_TOKEN=${WISE_UUID}\n`);
    writeFileSync(join(root, 'binary.bin'), Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(githubToken())]));
    const c = await client();
    const token2 = 'scan-1';
    const result = (await c.connection.sendRequest('workspace/executeCommand', { command: 'tokenward.lsp.scanWorkspace', arguments: [], workDoneToken: token2 })) as { files: number; findings: number };
    expect(result.findings).toBe(2);
    expect(result.files).toBe(3);
    const cfg = uriOf('src/config.js');
    await c.waitFor(() => c.diagnostics.get(cfg)?.diagnostics.length === 1, 'config.js diagnostics');
    expect(c.diagnostics.get(uriOf('notes.md'))?.diagnostics[0]?.code).toBe('wise-personal-api-token');
    expect(c.diagnostics.has(uriOf('node_modules/pkg/index.js'))).toBe(false);
    const kinds = c.progress.map((p) => (p as { token: string; value: { kind: string } }).value.kind);
    expect(kinds[0]).toBe('begin');
    expect(kinds.at(-1)).toBe('end');
    expect(c.progress.map((p) => (p as { token: string }).token)).toEqual(c.progress.map(() => token2));
    // Hover and code actions work for a file that was only scanned, never opened.
    const d = c.diagnostics.get(cfg)!.diagnostics[0]!;
    const hover = (await c.connection.sendRequest('textDocument/hover', { textDocument: { uri: cfg }, position: d.range.start })) as Hover;
    expect((hover.contents as { value: string }).value).toContain('github-pat-classic');
    expect((await codeActions(c, cfg, d)).map((a) => a.title)).toContain('Revoke GitHub token');
  });

  it('revokes the token at the cursor (the extension command)', async () => {
    workspace();
    const c = await client();
    const token = githubToken();
    const uri = uriOf('cursor.txt');
    await c.open(uri, `one\ntwo ${token}\n`);
    await c.diagnosticsFor(uri, (ds) => ds.length === 1);
    const miss = (await c.connection.sendRequest('workspace/executeCommand', { command: 'tokenward.lsp.revokeAtCursor', arguments: [{ uri, position: { line: 0, character: 1 } }] })) as { status: string };
    expect(miss.status).toBe('none');
    const hit = (await c.connection.sendRequest('workspace/executeCommand', { command: 'tokenward.lsp.revokeAtCursor', arguments: [{ uri, position: { line: 1, character: 10 } }] })) as { status: string };
    expect(hit.status).toBe('revoked');
    expect(github.revoked).toContain(token);
  });
});
