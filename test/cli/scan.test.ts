import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli, testTree } from '../helpers/cli.js';
import { githubLookalike, githubToken } from '../helpers/tokens.js';

const tree = testTree;

const FORMATS = ['text', 'json', 'jsonl', 'sarif', 'github'] as const;

describe('tokenward scan', () => {
  // The first two run the bin in a real process (end to end); the rest call main() in-process.
  it('exits 0 on a clean folder', async () => {
    const dir = tree({ 'a.ts': 'export const x = 1;\n', 'b/c.md': `not a token: ${githubLookalike()}\n` });
    const r = await spawnCli(['scan', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no secrets found \(scanned 2 files/);
    expect(r.stderr).toBe('');
  });

  it('exits 1 with the token redacted in every output format', async () => {
    const token = githubToken();
    const dir = tree({ 'src/config.ts': `// config\nexport const token = "${token}";\n`, 'README.md': 'hello\n' });
    for (const format of FORMATS) {
      const r = await spawnCli(['scan', '--format', format, '.'], { cwd: dir });
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).not.toContain(token);
      expect(r.stderr, format).not.toContain(token);
      expect(r.stdout, format).toContain(`ghp_****…${token.slice(-4)}`);
      expect(r.stdout, format).toContain('src/config.ts');
    }
    // --output writes the report to a file, still redacted.
    const r = await runCli(['scan', '-f', 'json', '-o', 'report.json', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(report).not.toContain(token);
    expect(JSON.parse(report).findings).toHaveLength(1);
  });

  it('prints the raw value only with --show-secrets', async () => {
    const token = githubToken();
    const dir = tree({ 'a.env': `GITHUB_TOKEN=${token}\n` });
    const r = await runCli(['scan', '--show-secrets', '-f', 'json', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].secret).toBe(token);
  });

  it('reports JSON findings with position, fingerprint, confidence and stats', async () => {
    const token = githubToken();
    const dir = tree({ 'x/y.py': `\n\nTOKEN = '${token}'\n` });
    const r = await runCli(['scan', '-f', 'json', '.'], { cwd: dir });
    const json = JSON.parse(r.stdout);
    expect(json.findings).toEqual([
      expect.objectContaining({
        ruleId: 'github-pat-classic',
        provider: 'GitHub',
        path: 'x/y.py',
        line: 3,
        column: 10,
        endLine: 3,
        endColumn: 50,
        confidence: 'high',
        severity: 'critical',
        fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/),
      }),
    ]);
    expect(json.stats).toMatchObject({ files: 1, findings: 1, binary: 0, unreadable: 0 });
    expect(json.stats.bytes).toBeGreaterThan(40);
  });

  it('writes SARIF 2.1.0 that GitHub code scanning can ingest', async () => {
    const token = githubToken();
    const dir = tree({ 'deploy/app.yaml': `env:\n  - value: ${token}\n` });
    const r = await runCli(['scan', '-f', 'sarif', '.'], { cwd: dir });
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'github-pat-classic');
    expect(rule.help.text).toMatch(/Personal access tokens/);
    expect(rule.helpUri).toMatch(/^https:\/\/docs\.github\.com\//);
    expect(run.results).toHaveLength(1);
    const res = run.results[0];
    expect(res.ruleId).toBe('github-pat-classic');
    expect(run.tool.driver.rules[res.ruleIndex].id).toBe('github-pat-classic');
    expect(res.level).toBe('error');
    expect(res.partialFingerprints['tokenward/v2']).toMatch(/^[0-9a-f]{40}$/);
    expect(res.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'deploy/app.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 2, startColumn: 12, endLine: 2, endColumn: 52 },
    });
  });

  it('writes GitHub workflow annotations', async () => {
    const dir = tree({ 'a,b.txt': `${githubToken()}\n` });
    const r = await runCli(['scan', '-f', 'github', '.'], { cwd: dir });
    expect(r.stdout).toMatch(/^::error file=a%2Cb\.txt,line=1,col=1,endLine=1,endColumn=41,title=Tokenward%3A GitHub personal access token \(classic\)::GitHub secret ghp_\*\*\*\*…/);
  });

  it('reads standard input as a stream with "-"', async () => {
    const token = githubToken();
    const r = await runCli(['scan', '-', '-f', 'jsonl'], { input: `2026-11-22T10:00:00Z pod-a GET /x\n2026-11-22T10:00:01Z pod-a auth ${token}\n` });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ path: '<stdin>', line: 2, column: 33 });
    expect(r.stdout).not.toContain(token);
  });

  it('reads standard input cleanly when there is nothing to find', async () => {
    const r = await runCli(['scan', '-'], { input: 'just a log line\n' });
    expect(r.code).toBe(0);
  });

  it('exits 2 with a message for a missing path, bad flag or unknown format', async () => {
    const missing = await runCli(['scan', '/definitely/not/here']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/path not found: \/definitely\/not\/here/);
    const flag = await runCli(['scan', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/scan: .*--bogus/);
    const fmt = await runCli(['scan', '-f', 'xml', '.']);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/unknown format "xml"/);
    const cmd = await runCli(['scna']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command "scna"/);
  });

  it('prints --version and --help for the tool and each command', async () => {
    const v = await runCli(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n\s+scan/);
    const names = [...help.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    expect(names).toContain('scan');
    for (const name of names) {
      const r = await runCli([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`Usage: tokenward ${name}`));
    }
  });

  it('skips binary files and counts them', async () => {
    const dir = tree({ 'img.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(githubToken())]), 'ok.txt': 'x\n' });
    const r = await runCli(['scan', '-f', 'json', dir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stats).toMatchObject({ files: 1, binary: 1 });
  });

  it('scans UTF-16 text files (they contain NUL bytes but are text)', async () => {
    const token = githubToken();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`key: ${token}\r\n`, 'utf16le')]);
    const dir = tree({ 'win.txt': utf16 });
    const r = await runCli(['scan', '-f', 'json', dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0]).toMatchObject({ line: 1, column: 6 });
  });

  it('reports an unreadable file and goes on scanning the rest', async () => {
    const token = githubToken();
    const dir = tree({ 'good.txt': `${token}\n` });
    symlinkSync('loop', join(dir, 'loop')); // ELOOP: unreadable even for root
    // Unreadable makes it 2 (issue 14: a clean or findings-only exit claims the file was checked).
    const r = await runCli(['scan', '-f', 'json', '.', 'loop'], { cwd: dir });
    expect(r.code).toBe(2);
    expect((await runCli(['scan', '--skip-unreadable', '-f', 'json', '.', 'loop'], { cwd: dir })).code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.stats.unreadable).toBe(1);
    expect(json.errors[0]).toMatchObject({ path: 'loop', message: expect.stringMatching(/ELOOP/) });
    expect(r.stderr).toMatch(/warning: cannot read loop: ELOOP/);
    const text = await runCli(['scan', '.', 'loop'], { cwd: dir });
    expect(text.stdout).toMatch(/warning: cannot read loop/);
    expect(text.stdout).toMatch(/1 unreadable/);
  });

  it('honours .gitignore inside a git repository, and --no-ignore walks everything', async () => {
    const ignored = githubToken();
    const tracked = githubToken();
    const dir = tree({ '.gitignore': 'build/\n*.log\n', 'build/out.js': `"${ignored}"`, 'debug.log': ignored, 'src/a.ts': `"${tracked}"` });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const r = await runCli(['scan', '-f', 'json', '.'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings.map((f: { path: string }) => f.path)).toEqual(['src/a.ts']);
    const all = await runCli(['scan', '-f', 'json', '--no-ignore', '.'], { cwd: dir });
    expect(all.stdout).toBeTruthy();
    expect(JSON.parse(all.stdout).findings.map((f: { path: string }) => f.path).sort()).toEqual(['build/out.js', 'debug.log', 'src/a.ts']);
    // An ignored folder named explicitly is scanned: the user asked for it.
    const explicit = await runCli(['scan', '-f', 'json', 'build'], { cwd: dir });
    expect(JSON.parse(explicit.stdout).findings).toHaveLength(1);
  });

  it('finds the same secrets with worker threads as in one thread', async () => {
    const files: Record<string, string> = {};
    const tokens: string[] = [];
    for (let i = 0; i < 400; i++) {
      const t = i % 7 === 0 ? githubToken() : undefined;
      if (t) tokens.push(t);
      files[`pkg${i % 20}/file${i}.js`] = `// file ${i}\n${'const a = 1;\n'.repeat(i % 50)}${t ? `const t = "${t}";\n` : ''}`;
    }
    const dir = tree(files);
    const one = await runCli(['scan', '-f', 'json', '--threads', '1', '--show-secrets', '.'], { cwd: dir });
    const many = await runCli(['scan', '-f', 'json', '--threads', '2', '--show-secrets', '.'], { cwd: dir });
    const strip = (s: string) => JSON.parse(s).findings.map((f: Record<string, unknown>) => [f.path, f.line, f.column, f.secret]);
    expect(strip(many.stdout)).toEqual(strip(one.stdout));
    expect(strip(one.stdout).map((f: unknown[]) => f[3]).sort()).toEqual([...tokens].sort());
    expect(JSON.parse(many.stdout).stats.files).toBe(400);
  });

  it('streams a large file in chunks and finds tokens at the chunk cuts exactly once', async () => {
    // 20 MB file (> the 16 MB whole-file limit) with tokens around the 8 MB read boundaries.
    const MB = 1024 * 1024;
    const line = `word${' '.repeat(95)}\n`; // 100 bytes
    const body = Buffer.alloc(20 * MB, line);
    const tokens: Array<{ token: string; offset: number }> = [];
    for (const at of [8 * MB - 20, 16 * MB - 3, 19 * MB]) {
      const token = githubToken();
      const offset = at - (at % 100) + 5; // inside a line
      body.write(token, offset, 'latin1');
      tokens.push({ token, offset });
    }
    const dir = tree({ 'big.txt': body });
    const r = await runCli(['scan', '-f', 'json', '--show-secrets', dir]);
    const found = JSON.parse(r.stdout).findings;
    expect(found.map((f: { secret: string }) => f.secret)).toEqual(tokens.map((t) => t.token));
    expect(found.map((f: { line: number; column: number }) => [f.line, f.column])).toEqual(tokens.map((t) => [Math.floor(t.offset / 100) + 1, 6]));
  });

  it('skips a named pipe without waiting on it', async () => {
    const dir = tree({ 'a.txt': `${githubToken()}\n` });
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const r = await runCli(['scan', '-f', 'json', dir, join(dir, 'pipe')], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.skipped).toEqual([{ path: expect.stringMatching(/pipe$/), message: 'not a regular file' }]);
  });

  it('skips files over --max-file-size and counts them', async () => {
    const dir = tree({ 'big.txt': `${'x'.repeat(5000)}${githubToken()}`, 'small.txt': 'y' });
    const r = await runCli(['scan', '-f', 'json', '--max-file-size', '1KB', dir]);
    const json = JSON.parse(r.stdout);
    expect(r.code).toBe(0);
    expect(json.stats).toMatchObject({ files: 1, skipped: 1 });
    expect(json.skipped[0]).toMatchObject({ path: expect.stringMatching(/big\.txt$/) });
    const text = await runCli(['scan', '--max-file-size', '1KB', dir]);
    expect(text.stdout).toMatch(/1 skipped/);
  });

  it('adds rules from --rules and reports a bad rule file with file and line', async () => {
    const dir = tree({
      'my-rules/acme.yaml': `provider: Acme
rules:
  - id: acme-key
    title: Acme key
    severity: high
    keywords: [acme_]
    pattern: '(acme_[0-9]{6})'
    examples: { positive: [acme_123456, acme_654321], negative: [acme_12] }
`,
      'bad.yaml': 'provider: Acme\nrules:\n  - id: acme-key\n    title: Acme key\n    severity: sometimes\n',
      'app.txt': 'k = acme_424242\n',
    });
    const ok = await runCli(['scan', '--rules', 'my-rules', '-f', 'json', 'app.txt'], { cwd: dir });
    expect(ok.code).toBe(1);
    expect(JSON.parse(ok.stdout).findings[0]).toMatchObject({ ruleId: 'acme-key', provider: 'Acme' });
    const bad = await runCli(['scan', '--rules', 'bad.yaml', 'app.txt'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+: rule "acme-key"/);
  });

  it('colours text only on request and never with NO_COLOR', async () => {
    const dir = tree({ 'a.txt': githubToken() });
    const forced = await runCli(['scan', dir], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(forced.stdout).toContain('\u001b[');
    const plain = await runCli(['scan', dir], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    const flag = await runCli(['scan', '--no-color', dir], { env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
    expect(flag.stdout).not.toContain('\u001b[');
  });

  it('writes nothing but a report file with -o, leaving stdout empty for text', async () => {
    const dir = tree({ 'a.txt': githubToken() });
    const r = await runCli(['scan', '-o', 'out.txt', 'a.txt'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toMatch(/1 secret found/);
    writeFileSync(join(dir, 'a.txt'), 'clean');
    expect((await runCli(['scan', '-q', 'a.txt'], { cwd: dir })).stdout).toBe('');
  });
});
