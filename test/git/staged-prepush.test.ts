import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo, type TestRepo } from './repo.js';

interface JsonFinding {
  path: string;
  line: number;
  secret?: string;
  source?: string;
  commit?: string;
}

const repo = () => testRepo();

async function scan(r: TestRepo, args: string[], input?: string, env: NodeJS.ProcessEnv = {}, run = runCli) {
  const res = await run(['scan', '--format', 'json', '--show-secrets', '--no-config', ...args], { cwd: r.dir, env: gitEnv(env), input });
  const findings = res.stdout ? (JSON.parse(res.stdout) as { findings: JsonFinding[] }).findings : [];
  return { ...res, findings };
}

describe('scan --staged', () => {
  it('reports exactly what is staged: index content, not unstaged edits or untracked files', async () => {
    const r = repo();
    const committed = githubToken();
    r.commit('base', { 'keep.txt': 'ok\n', 'old.txt': `${committed}\n` });
    const staged = githubToken();
    const unstaged = githubToken();
    r.write({ 'app.js': `// a\n// b\nconst t = "${staged}";\n` });
    r.git('add', 'app.js');
    // Edit the working tree after staging: the second token is not staged.
    r.write({ 'app.js': `const u = "${unstaged}";\n// a\n// b\nconst t = "${staged}";\n`, 'untracked.txt': `${githubToken()}\n` });
    // A real process, as the pre-commit hook runs it.
    const res = await scan(r, ['--staged'], undefined, {}, spawnCli);
    expect(res.code).toBe(1);
    // Line 3 is the line in the staged version (the working tree has it on line 4).
    expect(res.findings).toEqual([expect.objectContaining({ path: 'app.js', line: 3, secret: staged, source: 'git-staged' })]);
  });

  it('is clean when nothing with a secret is staged, even if the working tree has one', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    r.write({ 'a.txt': `${githubToken()}\n` });
    const res = await scan(r, ['--staged']);
    expect(res.code).toBe(0);
    expect(res.findings).toEqual([]);
  });

  it('works before the first commit and reports paths relative to the working folder', async () => {
    const r = repo();
    const token = githubToken();
    r.write({ 'src/deep/key.txt': `${token}\n` });
    r.git('add', '-A');
    const res = await runCli(['scan', '--staged', '--format', 'json', '--no-config'], { cwd: join(r.dir, 'src'), env: gitEnv() });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).findings).toEqual([expect.objectContaining({ path: 'deep/key.txt', line: 1 })]);
  });

  it('does not report a staged deletion', async () => {
    const r = repo();
    r.commit('base', { 'secret.txt': `${githubToken()}\n` });
    r.git('rm', '-q', 'secret.txt');
    const res = await scan(r, ['--staged']);
    expect(res.code).toBe(0);
  });

  it('finds the work tree as git does: linked worktrees, GIT_DIR, diff.relative, a stray .git folder', async () => {
    const r = repo();
    r.commit('base', { 'a.txt': 'a\n' });
    // A linked worktree (its .git is a file naming the git folder): its own index, not main's.
    const linked = `${r.dir}-linked`;
    r.git('worktree', 'add', '-q', '-b', 'side', linked);
    onTestFinished(() => rmSync(linked, { recursive: true, force: true }));
    const inLinked = githubToken();
    writeFileSync(join(linked, 'side.txt'), `${inLinked}\n`);
    execFileSync('git', ['add', 'side.txt'], { cwd: linked, env: gitEnv() });
    const inMain = githubToken();
    r.write({ 'main.txt': `${inMain}\n` });
    r.git('add', 'main.txt');
    const side = await runCli(['scan', '--staged', '--format', 'json', '--show-secrets', '--no-config'], { cwd: linked, env: gitEnv() });
    expect(JSON.parse(side.stdout).findings).toEqual([expect.objectContaining({ path: 'side.txt', secret: inLinked })]);

    // GIT_DIR and GIT_WORK_TREE from another folder (as some hook runners set them): git decides.
    const elsewhere = execFileSync('mktemp', ['-d']).toString().trim();
    onTestFinished(() => rmSync(elsewhere, { recursive: true, force: true }));
    const viaEnv = await runCli(['scan', '--staged', '--format', 'json', '--show-secrets', '--no-config'], { cwd: elsewhere, env: gitEnv({ GIT_DIR: join(r.dir, '.git'), GIT_WORK_TREE: r.dir }) });
    expect(JSON.parse(viaEnv.stdout).findings).toEqual([expect.objectContaining({ path: join(relative(elsewhere, r.dir), 'main.txt'), secret: inMain })]);

    // diff.relative would limit git's list to the folder it runs in: every staged file still counts.
    r.git('config', 'diff.relative', 'true');
    r.write({ 'sub/readme.md': 'hello\n' });
    const fromSub = await runCli(['scan', '--staged', '--format', 'json', '--show-secrets', '--no-config'], { cwd: join(r.dir, 'sub'), env: gitEnv() });
    expect(JSON.parse(fromSub.stdout).findings).toEqual([expect.objectContaining({ path: '../main.txt', secret: inMain })]);

    // A folder named .git that is not a repository is passed over, as git passes it over.
    mkdirSync(join(r.dir, 'sub/.git'));
    const stray = await runCli(['scan', '--staged', '--format', 'json', '--show-secrets', '--no-config'], { cwd: join(r.dir, 'sub'), env: gitEnv() });
    expect(stray.code, stray.stderr).toBe(1);
    expect(JSON.parse(stray.stdout).findings).toEqual([expect.objectContaining({ path: '../main.txt', secret: inMain })]);
  });

  it('outside a repository: exit 2, one message', async () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    // The bin's exit code and its only line on stderr, from a real process.
    const res = await spawnCli(['scan', '--staged'], { cwd: dir, env: gitEnv() });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe('tokenward: not a git repository: .\n');
  });
});

describe('scan --pre-push', () => {
  /** A repository with a bare remote that already has `main`. */
  function pushedRepo(): { r: TestRepo; remote: string; pushedToken: string; base: string } {
    const r = repo();
    const remote = join(r.dir, '..', 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote], { env: gitEnv() });
    const pushedToken = githubToken();
    r.commit('one', { 'old.txt': `${pushedToken}\n` });
    const base = r.commit('two', { 'a.txt': 'a\n' });
    r.git('remote', 'add', 'origin', remote);
    r.git('push', '-q', 'origin', 'main');
    return { r, remote, pushedToken, base };
  }

  it('scans only the commits being pushed (range from the hook input)', async () => {
    const { r, pushedToken, base } = pushedRepo();
    const token = githubToken();
    const c = r.commit('three', { 'b.txt': `x\n${token}\n` });
    r.commit('four', { 'c.txt': 'c\n' });
    const head = r.git('rev-parse', 'HEAD');
    const res = await scan(r, ['--pre-push'], `refs/heads/main ${head} refs/heads/main ${base}\n`);
    expect(res.code).toBe(1);
    expect(res.findings).toEqual([expect.objectContaining({ path: 'b.txt', line: 2, commit: c, secret: token })]);
    expect(res.findings.map((f) => f.secret)).not.toContain(pushedToken);
  });

  it('a new branch: only commits not yet on any remote branch', async () => {
    const { r } = pushedRepo();
    r.git('checkout', '-q', '-b', 'topic');
    const token = githubToken();
    r.commit('topic', { 't.txt': `${token}\n` });
    const head = r.git('rev-parse', 'HEAD');
    const zero = '0'.repeat(40);
    const res = await scan(r, ['--pre-push'], `refs/heads/topic ${head} refs/heads/topic ${zero}\n`);
    expect(res.findings.map((f) => f.secret)).toEqual([token]);
  });

  it('a branch deletion or an empty push scans nothing', async () => {
    const { r, base } = pushedRepo();
    const zero = '0'.repeat(40);
    const del = await scan(r, ['--pre-push'], `(delete) ${zero} refs/heads/old ${base}\n`);
    expect(del.code).toBe(0);
    const empty = await scan(r, ['--pre-push'], '');
    expect(empty.code).toBe(0);
  });

  it('takes the range from the pre-commit framework environment', async () => {
    const { r, base } = pushedRepo();
    const token = githubToken();
    r.commit('three', { 'b.txt': `${token}\n` });
    const res = await scan(r, ['--pre-push'], '', { PRE_COMMIT_FROM_REF: base, PRE_COMMIT_TO_REF: r.git('rev-parse', 'HEAD') });
    expect(res.findings.map((f) => f.secret)).toEqual([token]);
  });

  it('bad hook input: exit 2 naming the line', async () => {
    const { r } = pushedRepo();
    const res = await scan(r, ['--pre-push'], 'refs/heads/main nothex refs/heads/main alsonot\n');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^tokenward: --pre-push: line 1 of standard input/);
    const unknown = await scan(r, ['--pre-push'], `refs/heads/main ${'1'.repeat(40)} refs/heads/main ${'0'.repeat(40)}\n`);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown revision "1{40}"/);
  });
});
