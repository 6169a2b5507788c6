import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, openSync, readdirSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, testRepo, type TestRepo } from '../git/repo.js';

/** Object ids of a pack with their offsets (`git verify-pack -v`). */
function packObjects(repo: TestRepo, idx: string): Array<{ id: string; type: string; offset: number }> {
  return repo
    .git('verify-pack', '-v', idx)
    .split('\n')
    .map((l) => l.split(/\s+/))
    .filter((p) => /^[0-9a-f]{40}$/.test(p[0] ?? '') && ['blob', 'tree', 'commit'].includes(p[1] ?? ''))
    .map((p) => ({ id: p[0]!, type: p[1]!, offset: Number(p[4]) }));
}

const packDir = (repo: TestRepo) => join(repo.dir, '.git/objects/pack');

/** Pseudo-random base64 text: it neither compresses nor deltifies, so each blob's bytes in the
 * pack are its own. */
const filler = (seed: number) => Buffer.concat(Array.from({ length: 400 }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest())).toString('base64');

describe('damaged packs under --history', () => {
  it('bytes overwritten inside a pack: the damaged blob is reported, every other blob is scanned, exit 2', async () => {
    const repo = testRepo();
    const kept = githubToken();
    repo.commit('one', { 'a.env': `A="${kept}"\n${filler(1)}\n` });
    repo.commit('two', { 'damaged.env': `B="${githubToken()}"\n${filler(2)}\n` });
    repo.commit('three', { 'c.env': `C="${githubToken()}"\n${filler(3)}\n` });
    repo.git('repack', '-a', '-d', '-q');
    const idx = readdirSync(packDir(repo)).find((f) => f.endsWith('.idx'))!;
    const pack = join(packDir(repo), idx.replace(/\.idx$/, '.pack'));
    const damaged = repo.git('rev-parse', 'HEAD~1:damaged.env');
    const at = packObjects(repo, join(packDir(repo), idx)).find((o) => o.id === damaged)!.offset;
    // Garbage in the middle of the blob's compressed data: git cannot inflate it and dies.
    chmodSync(pack, 0o644);
    const fd = openSync(pack, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, at + 400);
    closeSync(fd);
    expect(() => execFileSync('git', ['cat-file', '-p', damaged], { cwd: repo.dir, env: gitEnv(), stdio: 'pipe' })).toThrow();

    const r = await runCli(['scan', '--history', '-f', 'json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { path: string }) => f.path).sort()).toEqual(['a.env', 'c.env']);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].path).toBe('damaged.env');
    expect(report.errors[0].message).toMatch(new RegExp(`^git object ${damaged.slice(0, 12)} cannot be read: .*corrupt`));
    expect(r.stdout.includes(kept)).toBe(false);
  });

  it('a truncated pack of blobs: its blobs are reported missing, the rest of history is scanned, exit 2', async () => {
    const repo = testRepo();
    repo.commit('one', { 'a.env': `A="${githubToken()}"\n` });
    repo.git('repack', '-a', '-d', '-q');
    repo.commit('two', { 'lost1.env': `B="${githubToken()}"\n${filler(4)}\n`, 'lost2.env': `C="${githubToken()}"\n${filler(5)}\n` });
    // The new commit and its tree go in a pack of their own; its blobs in another, then cut short
    // (an interrupted copy or a full disk): git no longer opens that pack at all.
    const lost = ['lost1.env', 'lost2.env'].map((p) => repo.git('rev-parse', `HEAD:${p}`));
    const rest = [repo.git('rev-parse', 'HEAD'), repo.git('rev-parse', 'HEAD^{tree}')];
    const packObjectsOf = (ids: string[]) => execFileSync('git', ['pack-objects', '-q', join(packDir(repo), 'pack')], { cwd: repo.dir, env: gitEnv(), input: `${ids.join('\n')}\n` }).toString().trim();
    packObjectsOf(rest);
    const blobPack = join(packDir(repo), `pack-${packObjectsOf(lost)}.pack`);
    repo.git('prune-packed');
    chmodSync(blobPack, 0o644);
    truncateSync(blobPack, Math.floor(statSync(blobPack).size / 2));

    const r = await runCli(['scan', '--history', '-f', 'json'], { cwd: repo.dir });
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { path: string }) => f.path)).toEqual(['a.env']);
    expect(report.errors.map((e: { path: string }) => e.path).sort()).toEqual(['lost1.env', 'lost2.env']);
    for (const e of report.errors) expect(e.message).toMatch(/^git object [0-9a-f]{12} is missing$/);
  });
});
