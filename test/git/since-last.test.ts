import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo } from './repo.js';

interface Report {
  findings: Array<{ path: string; commit: string }>;
  stats: { commits: number };
}

async function scanSinceLast(dir: string, extra: string[] = []): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(['scan', '--history', '--since-last', '-f', 'json', ...extra, '.'], { cwd: dir });
  if (!r.stdout) throw new Error(r.stderr);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

describe('scan --history --since-last', () => {
  it('scans only commits no earlier run covered, and records nothing when an object could not be read', async () => {
    const repo = testRepo();
    repo.commit('one', { 'a.env': `A="${githubToken()}"\n` });
    repo.commit('two', { 'b.txt': 'nothing here\n' });

    const first = await scanSinceLast(repo.dir);
    expect(first.code, first.stderr).toBe(1);
    expect(first.report.stats.commits).toBe(2);
    expect(first.report.findings.map((f) => f.path)).toEqual(['a.env']);
    // The state lives in the git folder: not in the work tree, never committed.
    expect(existsSync(join(repo.dir, '.git', 'tokenward-history.json'))).toBe(true);
    expect(repo.git('status', '--porcelain')).toBe('');

    const again = await scanSinceLast(repo.dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report.stats.commits).toBe(0);
    expect(again.report.findings).toEqual([]);

    const third = repo.commit('three', { 'c.env': `C="${githubToken()}"\n` });
    const next = await scanSinceLast(repo.dir);
    expect(next.code).toBe(1);
    expect(next.report.stats.commits).toBe(1);
    expect(next.report.findings.map((f) => [f.path, f.commit])).toEqual([['c.env', third]]);

    // A new branch at an already scanned commit brings no new commits.
    repo.git('branch', 'copy', 'HEAD~1');
    expect((await scanSinceLast(repo.dir)).report.stats.commits).toBe(0);

    // Other rules (here: one more rule file) have not seen the old commits: all are scanned again.
    const rules = join(repo.dir, '..', 'extra-rules.yaml');
    writeFileSync(
      rules,
      "provider: Acme\nrules:\n  - id: acme-key\n    title: Acme key\n    severity: high\n    keywords: [acme_]\n    pattern: '(acme_[0-9]{6})'\n    examples: { positive: [acme_123456, acme_654321], negative: [acme_12] }\n",
    );
    expect((await scanSinceLast(repo.dir, ['--rules', rules])).report.stats.commits).toBe(3);

    // An unreadable blob: reported (exit 2), and the tips are not recorded, so the next run retries.
    const lost = repo.commit('four', { 'd.env': `D="${githubToken()}"\n` });
    const blob = repo.git('rev-parse', `${lost}:d.env`);
    const loose = join(repo.dir, '.git/objects', blob.slice(0, 2), blob.slice(2));
    const saved = readFileSync(loose);
    unlinkSync(loose);
    const broken = await scanSinceLast(repo.dir);
    expect(broken.code).toBe(2);
    writeFileSync(loose, saved);
    const retried = await scanSinceLast(repo.dir);
    expect(retried.report.stats.commits).toBe(1);
    expect(retried.report.findings.map((f) => f.path)).toEqual(['d.env']);
  });

  it('a force-push that rewrites history: the new commits are scanned, nothing is missed, before and after gc', async () => {
    const server = testRepo({ bare: true });
    const work = testRepo();
    work.commit('base', { 'README.md': 'hello\n' });
    work.commit('feature', { 'f.txt': 'work in progress\n' });
    const push = (...args: string[]) => execFileSync('git', ['push', '-q', ...args, server.dir, 'main'], { cwd: work.dir, env: gitEnv(), stdio: 'pipe' });
    push();
    const first = await scanSinceLast(server.dir);
    expect(first.report.stats.commits).toBe(2);

    // The last commit is rewritten with a secret in it and force-pushed.
    work.git('reset', '-q', '--hard', 'HEAD~1');
    const rewritten = work.commit('feature, rewritten', { 'f.txt': `TOKEN=${githubToken()}\n` });
    push('--force');
    const after = await scanSinceLast(server.dir);
    expect(after.code).toBe(1);
    expect(after.report.stats.commits).toBe(1);
    expect(after.report.findings.map((f) => [f.path, f.commit])).toEqual([['f.txt', rewritten]]);

    // Rewritten again, and the server collects its garbage: the old tip is gone, so what cannot be
    // told apart from it is scanned again rather than missed.
    work.git('reset', '-q', '--hard', 'HEAD~1');
    const again = work.commit('feature, again', { 'g.txt': `TOKEN=${githubToken()}\n` });
    push('--force');
    execFileSync('git', ['reflog', 'expire', '--expire=now', '--all'], { cwd: server.dir, env: gitEnv() });
    execFileSync('git', ['gc', '-q', '--prune=now'], { cwd: server.dir, env: gitEnv() });
    const gone = await scanSinceLast(server.dir);
    expect(gone.code).toBe(1);
    expect(gone.report.findings.map((f) => [f.path, f.commit])).toEqual([['g.txt', again]]);
    expect(gone.report.stats.commits).toBeGreaterThanOrEqual(1);
    expect((await scanSinceLast(server.dir)).report.stats.commits).toBe(0);
  });

  it('--branch REF keeps its own record; --since-last refuses --since and --range', async () => {
    const repo = testRepo();
    repo.commit('one', { 'a.txt': 'a\n' });
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit('two', { 'b.txt': 'b\n' });
    const branch = async () => (await runCli(['scan', '--branch', 'main', '--since-last', '-f', 'json', '.'], { cwd: repo.dir })).stdout;
    expect(JSON.parse(await branch()).stats.commits).toBe(1);
    expect(JSON.parse(await branch()).stats.commits).toBe(0);
    // The whole history is another scope: both commits.
    expect((await scanSinceLast(repo.dir)).report.stats.commits).toBe(2);
    const bad = await runCli(['scan', '--since-last', '--range', 'main..side', '.'], { cwd: repo.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since-last cannot be combined');
  });
});
