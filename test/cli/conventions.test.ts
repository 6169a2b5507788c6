/**
 * Conventions users bring from gitleaks, ripgrep and CI tools: --redact[=PERCENT], --exit-code,
 * --min-severity, the fingerprint in text output, -f gitlab, paths as given, one <stdin> header,
 * one -o message in every format, clear -o / --threads errors, and Tokenward's own files kept out
 * of scans and out of `git status`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, spawnCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, makeRepo } from '../git/repo.js';

const GENERIC = `api_key = "q8Zr2Lm0Xv7Tn4Kp9Wd3Hs6Bj1Fy5Gc"\n`;

function tree() {
  const token = githubToken();
  const dir = testTree({ 'src/a.ts': `const t = "${token}";\n`, 'src/b.py': GENERIC });
  return { dir, token };
}

describe('scan conventions', () => {
  it('--redact masks fully (100, the default of the bare flag) or keeps a prefix; without it the usual mask', async () => {
    const { dir, token } = tree();
    let r = await runCli(['scan', '--redact', 'src/a.ts'], { cwd: dir });
    expect(r.stdout).toContain('  ****  ');
    expect(r.stdout).not.toContain(token.slice(-4));
    expect(r.stdout).not.toContain('ghp_');
    r = await runCli(['scan', '--redact=50', '-f', 'json', 'src/a.ts'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings[0].redacted).toBe(`${token.slice(0, 20)}…`);
    r = await runCli(['scan', 'src/a.ts'], { cwd: dir });
    expect(r.stdout).toContain(`ghp_****…${token.slice(-4)}`);
    r = await runCli(['scan', '--redact=150', 'src/a.ts'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--redact takes a percentage/);
    r = await runCli(['scan', '--redact', '--show-secrets', 'src/a.ts'], { cwd: dir });
    expect(r.code).toBe(2);
  });

  it('--exit-code N is the exit code when secrets are found (0 stays 0 when clean)', async () => {
    const { dir } = tree();
    expect((await runCli(['scan', '--exit-code', '7', '.'], { cwd: dir })).code).toBe(7);
    expect((await runCli(['scan', '--exit-code', '0', '.'], { cwd: dir })).code).toBe(0);
    const clean = testTree({ 'a.txt': 'nothing\n' });
    expect((await runCli(['scan', '--exit-code', '7', '.'], { cwd: clean })).code).toBe(0);
  });

  it('--min-severity drops findings of lower-severity rules and overrides the configuration', async () => {
    const { dir } = tree();
    let r = await runCli(['scan', '-f', 'json', '--min-severity', 'critical', '.'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['github-pat-classic']);
    writeFileSync(join(dir, '.tokenward.yaml'), 'minSeverity: critical\n');
    r = await runCli(['scan', '-f', 'json', '--min-severity', 'low', '.'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings).toHaveLength(2);
    r = await runCli(['scan', '--min-severity', 'urgent', '.'], { cwd: dir });
    expect(r.code).toBe(2);
  });

  it('text output shows the fingerprint an allow entry needs', async () => {
    const { dir } = tree();
    const text = await runCli(['scan', 'src/a.ts'], { cwd: dir });
    const json = await runCli(['scan', '-f', 'json', 'src/a.ts'], { cwd: dir });
    expect(text.stdout).toContain(`fingerprint ${JSON.parse(json.stdout).findings[0].fingerprint}`);
  });

  it('paths are printed as given, as ripgrep does', async () => {
    const { dir } = tree();
    const paths = async (arg: string) => (JSON.parse((await runCli(['scan', '-f', 'json', arg], { cwd: dir })).stdout).findings as { path: string }[]).map((f) => f.path);
    expect(await paths('./src')).toEqual(['./src/a.ts', './src/b.py']);
    expect(await paths('src')).toEqual(['src/a.ts', 'src/b.py']);
    expect(await paths('src/')).toEqual(['src/a.ts', 'src/b.py']);
    expect(await paths(join(dir, 'src'))).toEqual([join(dir, 'src/a.ts'), join(dir, 'src/b.py')]);
    expect(await paths('.')).toEqual(['src/a.ts', 'src/b.py']);
    const text = await runCli(['scan', './src'], { cwd: dir });
    expect(text.stdout).toMatch(/^\.\/src\/a\.ts$/m);
  });

  it('standard input: the <stdin> header once however many findings', async () => {
    const input = `a ${githubToken()}\nb ${githubToken()}\nc ${githubToken()}\n`;
    // Through a real pipe into a real process.
    const r = await spawnCli(['scan', '-'], { input });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/<stdin>/g)).toHaveLength(1);
    expect(r.stdout.match(/github-pat-classic/g)).toHaveLength(3);
  });

  it('-o prints one message on stderr in every format', async () => {
    const { dir } = tree();
    for (const format of ['text', 'json', 'jsonl', 'sarif', 'github', 'gitlab']) {
      const r = await runCli(['scan', '-f', format, '-o', `report.${format}`, 'src'], { cwd: dir });
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toBe('');
      expect(r.stderr, format).toBe(`tokenward: wrote 2 findings to report.${format} (${format})\n`);
      expect(existsSync(join(dir, `report.${format}`))).toBe(true);
    }
  });

  it('-o into a missing folder and --threads 0 are usage errors that say what is wrong', async () => {
    const { dir } = tree();
    let r = await runCli(['scan', '-f', 'json', '-o', 'out/missing/report.json', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/folder not found: out\/missing/);
    r = await runCli(['scan', '--threads', '0', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads takes a whole number of at least 1/);
  });

  it('-f gitlab writes a GitLab secret detection report with the schema\'s required keys', async () => {
    const { dir, token } = tree();
    const r = await runCli(['scan', '-f', 'gitlab', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(token);
    const doc = JSON.parse(r.stdout);
    // Required by gl-secret-detection-report-format.json (15.x): version, vulnerabilities, scan.
    expect(doc.version).toMatch(/^15\.\d+\.\d+$/);
    expect(doc.vulnerabilities).toHaveLength(2);
    for (const v of doc.vulnerabilities) {
      expect(v).toMatchObject({ id: expect.any(String), category: 'secret_detection', name: expect.any(String), description: expect.any(String) });
      expect(['Info', 'Unknown', 'Low', 'Medium', 'High', 'Critical']).toContain(v.severity);
      expect(v.location).toMatchObject({ file: expect.stringMatching(/^src\//), start_line: 1, commit: { sha: expect.any(String) } });
      expect(v.identifiers.length).toBeGreaterThan(0);
      for (const id of v.identifiers) expect(id).toMatchObject({ type: expect.any(String), name: expect.any(String), value: expect.any(String) });
    }
    expect(new Set(doc.vulnerabilities.map((v: { id: string }) => v.id)).size).toBe(2);
    const scan = doc.scan;
    expect(scan).toMatchObject({ type: 'secret_detection', status: 'success' });
    for (const tool of [scan.scanner, scan.analyzer]) expect(tool).toMatchObject({ id: 'tokenward', name: 'Tokenward', version: expect.any(String), vendor: { name: expect.any(String) } });
    expect(scan.start_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(scan.end_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    // A history finding carries its commit.
    const repo = makeRepo();
    onTestFinished(repo.cleanup);
    const commit = repo.commit('leak', { 'k.txt': `${githubToken()}\n` });
    const h = JSON.parse((await runCli(['scan', '--history', '-f', 'gitlab'], { cwd: repo.dir, env: gitEnv() })).stdout);
    expect(h.vulnerabilities[0].location.commit.sha).toBe(commit);
  });

  it("Tokenward's own files (.tokenward/, reports it wrote) are never scanned and never untracked in git status", async () => {
    const repo = makeRepo();
    onTestFinished(repo.cleanup);
    const token = githubToken();
    repo.commit('init', { 'README.md': 'hello\n' });
    // State a command left behind, holding a secret-looking value.
    mkdirSync(join(repo.dir, '.tokenward'));
    writeFileSync(join(repo.dir, '.tokenward/verify-cache.json'), `{"t":"${token}"}\n`);
    let r = await runCli(['scan', '-f', 'json', '.'], { cwd: repo.dir, env: gitEnv() });
    expect(JSON.parse(r.stdout).findings).toEqual([]);
    // A report with raw values, then a second scan: the report is not a source.
    repo.write({ 'app.ts': `const t = "${token}";\n` });
    r = await runCli(['scan', '--show-secrets', '-f', 'json', '-o', 'report.json', '.'], { cwd: repo.dir, env: gitEnv() });
    expect(r.code).toBe(1);
    r = await runCli(['scan', '-f', 'json', '.'], { cwd: repo.dir, env: gitEnv() });
    expect((JSON.parse(r.stdout).findings as { path: string }[]).map((f) => f.path)).toEqual(['app.ts']);
    expect(readFileSync(join(repo.dir, '.tokenward/.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: repo.dir, env: gitEnv(), encoding: 'utf8' });
    expect(status.trim().split('\n')).toEqual(['?? app.ts']);
  });
});
