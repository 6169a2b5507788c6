import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo, type TestRepo } from './repo.js';

interface JsonFinding {
  ruleId: string;
  path: string;
  line: number;
  column: number;
  commit?: string;
  author?: string;
  date?: string;
  source?: string;
  occurrences?: number;
  presentAtHead?: boolean;
  fingerprint: string;
  redacted: string;
  secret?: string;
}

const repo = () => testRepo();

async function history(r: TestRepo, ...args: string[]): Promise<{ code: number | null; findings: JsonFinding[]; stderr: string }> {
  return historyWith(runCli, r, ...args);
}

async function historyWith(run: typeof runCli, r: TestRepo, ...args: string[]): Promise<{ code: number | null; findings: JsonFinding[]; stderr: string }> {
  const res = await run(['scan', '--history', '--format', 'json', '--show-secrets', '--no-config', ...args], { cwd: r.dir, env: gitEnv() });
  const findings = res.stdout ? (JSON.parse(res.stdout) as { findings: JsonFinding[] }).findings : [];
  return { code: res.code, findings, stderr: res.stderr };
}

describe('scan --history', () => {
  it('finds a token that was committed and then removed, at the commit and line that added it', async () => {
    const r = repo();
    const token = githubToken();
    r.commit('initial', { 'README.md': '# demo\n' });
    const added = r.commit('add config', { 'config.js': `// settings\nconst a = 1;\nconst token = "${token}";\n` });
    // Lines inserted above later must not move the reported line: it is the line in that commit.
    r.commit('more settings', { 'config.js': `// settings\n// more\n// and more\nconst a = 1;\nconst token = "${token}";\n` });
    r.commit('remove token', { 'config.js': '// settings\nconst a = 1;\nconst token = process.env.TOKEN;\n' });
    expect(r.git('ls-tree', '-r', '--name-only', 'HEAD').split('\n')).toContain('config.js');
    // A real process: git, cat-file and the scan end to end.
    const { code, findings } = await historyWith(spawnCli, r);
    expect(code).toBe(1);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'github-pat-classic', path: 'config.js', line: 3, column: 16, commit: added, author: 'Ada Test <ada@example.com>', source: 'git-blob', occurrences: 1, presentAtHead: false, secret: token });
    expect(f.date).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('finds a token in a file that was later deleted', async () => {
    const r = repo();
    const token = githubToken();
    r.commit('initial', { 'README.md': 'x\n' });
    const added = r.commit('add env', { 'deploy/.env': `A=1\nGITHUB_TOKEN=${token}\n` });
    r.commit('drop env', { 'deploy/.env': null });
    const { code, findings } = await history(r);
    expect(code).toBe(1);
    expect(findings).toEqual([expect.objectContaining({ path: 'deploy/.env', line: 2, commit: added, presentAtHead: false })]);
  });

  it('finds a token that only exists on another branch; --branch limits the walk', async () => {
    const r = repo();
    const token = githubToken();
    r.commit('initial', { 'a.txt': 'a\n' });
    r.git('checkout', '-q', '-b', 'feature');
    const onFeature = r.commit('feature work', { 'feature.py': `TOKEN = "${token}"\n` });
    r.git('checkout', '-q', 'main');
    r.commit('main work', { 'a.txt': 'a\nb\n' });

    const all = await history(r);
    expect(all.findings).toEqual([expect.objectContaining({ path: 'feature.py', line: 1, commit: onFeature, presentAtHead: false })]);
    const main = await history(r, '--branch', 'main');
    expect(main.code).toBe(0);
    expect(main.findings).toEqual([]);
    const feature = await history(r, '--branch', 'feature');
    expect(feature.findings).toEqual([expect.objectContaining({ commit: onFeature })]);
  });

  it('scans commit messages', async () => {
    const r = repo();
    const token = githubToken();
    r.commit('initial', { 'a.txt': 'a\n' });
    const c = r.commit(`fix CI\n\nworked after export GITHUB_TOKEN=${token}\n`, { 'a.txt': 'b\n' });
    const { findings } = await history(r);
    expect(findings).toEqual([expect.objectContaining({ path: '<commit message>', source: 'git-message', line: 3, commit: c, secret: token, occurrences: 1 })]);
  });

  it('reports a secret seen in many commits once, at its first introduction, with the count', async () => {
    const r = repo();
    const token = githubToken();
    r.commit('initial', { 'a.txt': 'a\n' });
    const first = r.commit('add', { 'app.js': `const t = "${token}";\n` });
    // Edits of a file that keeps the secret do not introduce it again.
    r.commit('edit', { 'app.js': `const t = "${token}";\nconst u = 2;\n` });
    r.commit('remove', { 'app.js': 'const u = 2;\n' });
    r.commit('re-add elsewhere', { 'lib/copy.js': `\n\nexport const T = '${token}';\n` });
    const { findings } = await history(r);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ path: 'app.js', line: 1, commit: first, occurrences: 2, presentAtHead: true });
  });

  it('says whether the secret is still in HEAD', async () => {
    const r = repo();
    const kept = githubToken();
    const gone = githubToken();
    r.commit('both', { 'k.txt': `${kept}\n`, 'g.txt': `${gone}\n` });
    r.commit('remove one', { 'g.txt': 'nothing\n' });
    const { findings } = await history(r);
    const bySecret = new Map(findings.map((f) => [f.secret, f]));
    expect(bySecret.get(kept)?.presentAtHead).toBe(true);
    expect(bySecret.get(gone)?.presentAtHead).toBe(false);
  });

  it('--range and --since scan only the commits in the range', async () => {
    const r = repo();
    const before = githubToken();
    const inside = githubToken();
    const base = r.commit('old', { 'old.txt': `${before}\n` });
    const c2 = r.commit('new', { 'new.txt': `${inside}\n`, 'old.txt': `${before}\nedited\n` });
    const range = await history(r, '--range', `${base}..HEAD`);
    expect(range.findings.map((f) => f.secret)).toEqual([inside]);
    expect(range.findings[0]).toMatchObject({ commit: c2, presentAtHead: true });
    const since = await history(r, '--since', base);
    expect(since.findings.map((f) => f.secret)).toEqual([inside]);
  });

  it('text, SARIF and JSON carry the git details; secrets stay redacted', async () => {
    const r = repo();
    const token = githubToken();
    r.commit('initial', { 'a.txt': 'a\n' });
    const c = r.commit('add', { 'a.txt': `${token}\n` });
    const text = await runCli(['scan', '--history', '--no-config'], { cwd: r.dir, env: gitEnv() });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`commit ${c.slice(0, 12)} by Ada Test <ada@example.com>`);
    expect(text.stdout).toContain('still in HEAD');
    expect(text.stdout).toMatch(/scanned 2 commits/);
    expect(text.stdout).not.toContain(token);
    const sarif = await runCli(['scan', '--history', '--no-config', '--format', 'sarif'], { cwd: r.dir, env: gitEnv() });
    expect(sarif.stdout).not.toContain(token);
    const result = JSON.parse(sarif.stdout).runs[0].results[0];
    expect(result.properties).toMatchObject({ commit: c, author: 'Ada Test <ada@example.com>', occurrences: 1, presentAtHead: true });
    expect(result.locations[0].physicalLocation.region.startLine).toBe(1);
  });

  it('works from a subfolder and limits the scan to it', async () => {
    const r = repo();
    r.commit('two', { 'src/a.txt': `${githubToken()}\n`, 'docs/b.txt': `${githubToken()}\n` });
    const res = await runCli(['scan', '--history', '--no-config', '--format', 'json', '.'], { cwd: join(r.dir, 'src'), env: gitEnv() });
    const findings = JSON.parse(res.stdout).findings as JsonFinding[];
    expect(findings.map((f) => f.path)).toEqual(['a.txt']);
  });

  it('an empty repository is clean; an unborn HEAD still scans the other branches', async () => {
    const r = repo();
    expect((await history(r)).code).toBe(0);
    const token = githubToken();
    const c = r.commit('add', { 'a.txt': `${token}\n` });
    r.git('checkout', '-q', '--orphan', 'fresh');
    const { findings } = await history(r);
    expect(findings).toEqual([expect.objectContaining({ commit: c, presentAtHead: false })]);
  });

  it('gives the same findings with and without worker threads', async () => {
    const r = repo();
    const tokens = Array.from({ length: 8 }, () => githubToken());
    // Workers start after a few MB scanned in-thread: 8 × 1 MB files make both paths run.
    const filler = 'const value = computeSomething(alpha, beta, gamma);\n'.repeat(20_000);
    tokens.forEach((t, i) => r.commit(`c${i}`, { [`f${i}.txt`]: `${filler}line\n${t}\n` }));
    const one = await history(r, '--threads', '1');
    const two = await history(r, '--threads', '2');
    expect(one.findings.map((f) => f.secret).sort()).toEqual([...tokens].sort());
    expect(two.findings).toEqual(one.findings);
  });
});

describe('scan --history: bad input exits 2 with one clear message', () => {
  it('not a git repository', async () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    const res = await runCli(['scan', '--history', dir], { env: gitEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toEqual([`tokenward: not a git repository: ${dir}`]);
  });

  it('an unknown revision or branch', async () => {
    const r = repo();
    r.commit('one', { 'a.txt': 'a\n' });
    const res = await runCli(['scan', '--branch', 'no-such-branch'], { cwd: r.dir, env: gitEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^tokenward: unknown branch "no-such-branch"/);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    const since = await runCli(['scan', '--since', 'deadbeef'], { cwd: r.dir, env: gitEnv() });
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/unknown revision "deadbeef"/);
  });

  it('an invalid range', async () => {
    const r = repo();
    r.commit('one', { 'a.txt': 'a\n' });
    for (const bad of ['main', '..', 'main..nope']) {
      const res = await runCli(['scan', '--range', bad], { cwd: r.dir, env: gitEnv() });
      expect(res.code, bad).toBe(2);
      expect(res.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(res.stderr, bad).toMatch(/invalid range|unknown revision in range/);
    }
  });

  it('a shallow clone missing history', async () => {
    const r = repo();
    for (let i = 0; i < 3; i++) r.commit(`c${i}`, { 'a.txt': `${i}\n` });
    const clone = join(r.dir, '..', 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${r.dir}`, clone], { env: gitEnv() });
    const res = await runCli(['scan', '--history'], { cwd: clone, env: gitEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^tokenward: shallow clone: history before commit [0-9a-f]{12} is missing/);
    expect(res.stderr).toContain('fetch-depth: 0');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('conflicting modes', async () => {
    const r = repo();
    r.commit('one', { 'a.txt': 'a\n' });
    const res = await runCli(['scan', '--history', '--staged'], { cwd: r.dir, env: gitEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/cannot be combined/);
  });
});
