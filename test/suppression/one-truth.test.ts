/**
 * One suppression truth: whatever hides a finding hides it in `scan`, `scan --staged`,
 * `scan --history` and the language server alike, because all of them use the one `Suppressor`
 * of @tokenward/project. Each case builds the same repository, adds one way of hiding the token and
 * checks every entry point.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { LspTestClient } from '../editor/lsp-client.js';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, makeRepo, type TestRepo } from '../git/repo.js';

const clients: LspTestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
});

const GENERIC = `api_key = "q8Zr2Lm0Xv7Tn4Kp9Wd3Hs6Bj1Fy5Gc"\n`;

interface Fixture {
  repo: TestRepo;
  token: string;
  text: string;
  commit: string;
}

/** A repository whose HEAD holds the token in src/app.ts, with a later edit of that file staged. */
function fixture(): Fixture {
  const repo = makeRepo();
  const token = githubToken();
  const text = `const token = "${token}";\n`;
  const commit = repo.commit('add app', { 'src/app.ts': text });
  repo.write({ 'src/app.ts': `${text}// more\n` });
  repo.git('add', 'src/app.ts');
  return { repo, token, text, commit };
}

async function cliCount(dir: string, args: string[]): Promise<{ code: number | null; count: number; stderr: string }> {
  const r = await runCli(['scan', '-f', 'json', ...args], { cwd: dir, env: gitEnv() });
  const count = r.stdout ? (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length : -1;
  return { code: r.code, count, stderr: r.stderr };
}

async function lspCount(dir: string, rel: string, text: string, settings: Record<string, unknown> = {}, workspace = true): Promise<number> {
  const c = await LspTestClient.start({ root: dir, settings, workspace });
  clients.push(c);
  const uri = pathToFileURL(join(dir, rel)).href;
  await c.open(uri, text, 'typescript');
  const diags = await c.diagnosticsFor(uri);
  return diags.length;
}

/** Every entry point reports `expected` findings. */
async function expectEverywhere(f: Fixture, expected: number): Promise<void> {
  const dir = f.repo.dir;
  const plain = await cliCount(dir, []);
  expect(plain, 'scan').toMatchObject({ code: expected ? 1 : 0, count: expected });
  const staged = await cliCount(dir, ['--staged']);
  expect(staged, 'scan --staged').toMatchObject({ code: expected ? 1 : 0, count: expected });
  const history = await cliCount(dir, ['--history']);
  expect(history, 'scan --history').toMatchObject({ code: expected ? 1 : 0, count: expected });
  expect(await lspCount(dir, 'src/app.ts', f.text), 'language server').toBe(expected);
}

describe('one suppression truth: scan, --staged, --history and the language server agree', () => {
  it('without any suppression every entry point reports the token', async () => {
    const f = fixture();
    onTestFinished(f.repo.cleanup);
    await expectEverywhere(f, 1);
  });

  it('the default baseline written by `tokenward baseline` (no flags) hides it everywhere', async () => {
    const f = fixture();
    onTestFinished(f.repo.cleanup);
    const b = await runCli(['baseline'], { cwd: f.repo.dir, env: gitEnv() });
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/wrote 1 entry to \.tokenward-baseline\.json/);
    await expectEverywhere(f, 0);
    // --no-baseline shows it again, so the default file really is what hid it.
    expect((await cliCount(f.repo.dir, ['--no-baseline'])).count).toBe(1);
  });

  it('a .tokenwardignore hides it everywhere', async () => {
    const f = fixture();
    onTestFinished(f.repo.cleanup);
    writeFileSync(join(f.repo.dir, '.tokenwardignore'), 'src/\n');
    await expectEverywhere(f, 0);
  });

  it('a config allow entry (fingerprint from the text output) hides it everywhere', async () => {
    const f = fixture();
    onTestFinished(f.repo.cleanup);
    const text = await runCli(['scan', '.'], { cwd: f.repo.dir, env: gitEnv() });
    const fp = /fingerprint ([0-9a-f]{40})/.exec(text.stdout)?.[1];
    expect(fp, 'the text output shows the fingerprint').toBeDefined();
    writeFileSync(join(f.repo.dir, '.tokenward.yaml'), `allow:\n  - fingerprint: ${fp}\n    reason: test\n`);
    await expectEverywhere(f, 0);
  });

  it('a .gitleaksignore hides it everywhere: file:rule:line with our rule id, commit:file:rule:line in history', async () => {
    const f = fixture();
    onTestFinished(f.repo.cleanup);
    writeFileSync(join(f.repo.dir, '.gitleaksignore'), `# accepted\nsrc/app.ts:github-pat-classic:1\n`);
    await expectEverywhere(f, 0);
    // The commit form applies to that commit only.
    writeFileSync(join(f.repo.dir, '.gitleaksignore'), `${f.commit}:src/app.ts:github-pat-classic:1\n`);
    expect((await cliCount(f.repo.dir, ['--history'])).count).toBe(0);
    expect((await cliCount(f.repo.dir, [])).count).toBe(1);
  });

  it('a .gitleaks.toml at the repository root is picked up without --rules: its [allowlist] applies to built-in rules', async () => {
    const f = fixture();
    onTestFinished(f.repo.cleanup);
    writeFileSync(join(f.repo.dir, '.gitleaks.toml'), `[allowlist]\ndescription = "accepted"\nregexes = ['''${f.token}''']\n`);
    await expectEverywhere(f, 0);
  });

  it('a .gitleaks.toml rule runs without --rules, and a .gitleaksignore entry may name the gitleaks rule id', async () => {
    const repo = makeRepo();
    onTestFinished(repo.cleanup);
    repo.commit('init', {
      '.gitleaks.toml': `[[rules]]\nid = "acme-key"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = ["acme_"]\n`,
      'conf.txt': `key acme_abcdefghijklmnopqrstuvwx\n`,
    });
    let r = await cliCount(repo.dir, []);
    expect(r.count).toBe(1);
    writeFileSync(join(repo.dir, '.gitleaksignore'), 'conf.txt:acme-key:1\n');
    r = await cliCount(repo.dir, []);
    expect(r.count).toBe(0);
  });

  it('minimum confidence: the flag or the editor setting overrides the configuration, in both', async () => {
    const repo = makeRepo();
    onTestFinished(repo.cleanup);
    repo.commit('init', { 'app.py': GENERIC, '.tokenward.yaml': 'minConfidence: high\n' });
    // The configuration alone hides the generic (low) finding in both.
    expect((await cliCount(repo.dir, [])).count).toBe(0);
    expect(await lspCount(repo.dir, 'app.py', GENERIC)).toBe(0);
    // Asking for low explicitly shows it in both (the server used to take the stricter of the two).
    expect((await cliCount(repo.dir, ['--min-confidence', 'low'])).count).toBe(1);
    expect(await lspCount(repo.dir, 'app.py', GENERIC, { minimumConfidence: 'low' })).toBe(1);
    // And the reverse: stricter than the configuration.
    writeFileSync(join(repo.dir, '.tokenward.yaml'), 'minConfidence: low\n');
    expect((await cliCount(repo.dir, ['--min-confidence', 'high'])).count).toBe(0);
    expect(await lspCount(repo.dir, 'app.py', GENERIC, { minimumConfidence: 'high' })).toBe(0);
  });

  it('minimum confidence: the editor setting applies to a file opened without a workspace folder too', async () => {
    const dir = testTree();
    expect(await lspCount(dir, 'app.py', GENERIC, {}, false)).toBe(1);
    expect(await lspCount(dir, 'app.py', GENERIC, { minimumConfidence: 'high' }, false)).toBe(0);
  });
});
