/**
 * Archives are opened wherever their bytes are read (files, staged blobs, history): members are
 * scanned as files one level down and located as `archive!member:line`; nesting, expansion and
 * entry budgets refuse zip bombs with a problem naming where, and the scan goes on.
 * Archives are built here: zip with fflate (a dependency of the sources), tar with the system `tar`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { compileRules } from '@tokenward/engine';
import { defaultRulesDir, loadRuleDefinitions } from '@tokenward/project';
import { FilesSource, listFiles, scanSource, type ArchiveLimits } from '@tokenward/sources';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { testRepo } from '../git/repo.js';
import { tokenward } from '../org/run.js';

interface JsonFinding {
  path: string;
  line: number;
  ruleId: string;
  commit?: string;
}
interface JsonReport {
  findings: JsonFinding[];
  errors: Array<{ path: string; message: string }>;
  skipped: Array<{ path: string; message: string }>;
}

const zip = (files: Record<string, string | Uint8Array>): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v])) as Zippable));

async function scanJson(dir: string, args: string[] = ['.']): Promise<{ code: number | null; report: JsonReport; stderr: string }> {
  const r = await runCli(['scan', '--no-config', '-f', 'json', ...args], { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

const where = (r: JsonReport): string[] => r.findings.map((f) => `${f.path}:${f.line}`).sort();

/**
 * A zip written entry by entry, for what zip tools refuse to write: entries sharing one compressed
 * kernel (`overlap`), encrypted flags. `data` is already compressed for method 8.
 */
function rawZip(entries: Array<{ name: string; data: Buffer; method: 0 | 8; size: number; flags?: number }>, overlap = false): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const at = overlap ? 0 : offset;
    if (!overlap || locals.length === 0) {
      locals.push(local, name, e.data);
      offset += 30 + name.length + e.data.length;
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(e.flags ?? 0, 8);
    c.writeUInt16LE(e.method, 10);
    c.writeUInt32LE(e.data.length, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(at, 42);
    central.push(c, name);
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

async function scanWithLimits(dir: string, limits: Partial<ArchiveLimits>) {
  const defs = loadRuleDefinitions([defaultRulesDir()], () => {});
  const { files } = await listFiles(['.'], { cwd: dir, noIgnore: true });
  const { ARCHIVE_LIMITS } = await import('@tokenward/sources');
  return scanSource(new FilesSource(files), { defs, compiled: compileRules(defs) }, { threads: 1, archiveLimits: { ...ARCHIVE_LIMITS, ...limits } });
}

describe('archives in a folder scan', () => {
  it('finds secrets in zip members (jar/war are zips by content, whatever the name) with line numbers inside the member', async () => {
    const token = githubToken();
    const other = githubToken();
    const dir = testTree({
      'dist/app.war': zip({ 'WEB-INF/classes/app.properties': `# settings\nname=demo\ngithub.token=${token}\n`, 'index.html': '<p>hi</p>\n' }),
      'build/plugin.bin': zip({ 'META-INF/MANIFEST.MF': `Manifest-Version: 1.0\n\nX-Token: ${other}\n` }),
    });
    const { code, report } = await scanJson(dir);
    expect(code).toBe(1);
    expect(where(report)).toEqual(['build/plugin.bin!META-INF/MANIFEST.MF:3', 'dist/app.war!WEB-INF/classes/app.properties:3']);
    expect(report.errors).toEqual([]);
  });

  it('opens archives inside archives: a jar in a zip in a tar.gz', async () => {
    const token = githubToken();
    const jar = zip({ 'config/application.yml': `spring:\n  github:\n    token: ${token}\n` });
    const dir = testTree({ 'src/lib/inner.jar': zip({ 'lib/inner.jar': jar, 'README.txt': 'docs\n' }) });
    execFileSync('tar', ['czf', join(dir, 'release.tar.gz'), '-C', join(dir, 'src'), 'lib']);
    const { report } = await scanJson(dir, ['release.tar.gz']);
    expect(where(report)).toEqual(['release.tar.gz!lib/inner.jar!lib/inner.jar!config/application.yml:3']);
  });

  it('reads tar, tar.gz and plain gzip files', async () => {
    const token = githubToken();
    const dir = testTree({ 'tree/etc/app.env': `A=1\nB=2\nGITHUB_TOKEN=${token}\n`, 'tree/etc/README': 'nothing here\n' });
    execFileSync('tar', ['cf', join(dir, 'backup.tar'), '-C', join(dir, 'tree'), '.']);
    execFileSync('tar', ['czf', join(dir, 'backup.tgz'), '-C', join(dir, 'tree'), 'etc']);
    writeFileSync(join(dir, 'app.env.gz'), gzipSync(`A=1\nB=2\nGITHUB_TOKEN=${token}\n`));
    const { report } = await scanJson(dir, ['backup.tar', 'backup.tgz', 'app.env.gz']);
    expect(where(report)).toEqual(['app.env.gz!app.env:3', 'backup.tar!etc/app.env:3', 'backup.tgz!etc/app.env:3']);
  });

  it('streams a member over 16 MB, and reads a zip file over 16 MB where its directory is', async () => {
    const token = githubToken();
    const filler = 'x'.repeat(79) + '\n';
    const big = Buffer.from(filler.repeat(220_000) + `TOKEN=${token}\n`); // 17.6 MB, line 220,001
    const dir = testTree({ 'big-member.zip': zip({ 'logs/app.log': big }), 'big-file.zip': Buffer.from(zipSync({ 'noise.bin': [randomBytes(17 << 20), { level: 0 }], 'app.env': Buffer.from(`\nTOKEN=${token}\n`) })) });
    const { report } = await scanJson(dir);
    expect(where(report)).toEqual(['big-file.zip!app.env:2', 'big-member.zip!logs/app.log:220001']);
  });

  it('lists what it cannot open (encrypted members, unsupported methods, damage) and goes on; members over --max-file-size are skipped', async () => {
    const token = githubToken();
    const plain = Buffer.from(`TOKEN=${token}\n`);
    const dir = testTree({
      'locked.zip': rawZip([
        { name: 'secret.txt', data: plain, method: 0, size: plain.length, flags: 1 },
        { name: 'notes.txt', data: deflateRawSync(plain), method: 8, size: plain.length },
        { name: 'data.bz2', data: plain, method: 12, size: plain.length },
      ]),
      'broken.zip': zip({ 'a.txt': 'hello\n' }).subarray(0, 40),
      'big.zip': zip({ 'big.txt': `${'y'.repeat(2000)}\nTOKEN=${token}\n` }),
    });
    const { code, report } = await scanJson(dir, ['--max-file-size', '1KB', '.']);
    expect(code).toBe(2);
    expect(where(report)).toEqual(['locked.zip!notes.txt:1']);
    expect(report.errors).toEqual([
      { path: 'broken.zip', message: expect.stringMatching(/^zip archive cannot be read: /) },
      { path: 'locked.zip!secret.txt', message: 'encrypted: not scanned' },
      { path: 'locked.zip!data.bz2', message: expect.stringMatching(/compression method 12 is not supported/) },
    ]);
    expect(report.skipped).toEqual([{ path: 'big.zip!big.txt', message: 'larger than --max-file-size' }]);
  });

  it('stops at the depth limit and says where', async () => {
    const token = githubToken();
    let inner: Buffer = zip({ 'app.env': `TOKEN=${token}\n` });
    for (let level = 6; level >= 1; level--) inner = zip({ [`level${level}.zip`]: inner });
    // outer.zip → level1.zip → … → level6.zip → app.env: six archives inside the file, one too many.
    const dir = testTree({ 'outer.zip': inner, 'clean.env': `TOKEN=${githubToken()}\n` });
    const { code, report } = await scanJson(dir);
    expect(code).toBe(2);
    expect(where(report)).toEqual(['clean.env:1']);
    expect(report.errors).toEqual([{ path: 'outer.zip!level1.zip!level2.zip!level3.zip!level4.zip!level5.zip', message: 'zip archive nested 5 levels deep (limit 5): not opened' }]);
  });
});

describe('zip bombs are refused, listed, and the scan goes on', () => {
  const zeros = Buffer.alloc(16 << 20);
  const kernel = deflateRawSync(zeros, { level: 9 });

  it('a non-recursive bomb: entries sharing one compressed kernel', async () => {
    const entries = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, data: kernel, method: 8 as const, size: zeros.length }));
    const dir = testTree({ 'overlap.zip': rawZip(entries.slice(0, 30), true), 'app.env': `TOKEN=${githubToken()}\n` });
    const { code, report } = await scanJson(dir);
    expect(code).toBe(2);
    expect(where(report)).toEqual(['app.env:1']);
    expect(report.errors).toEqual([{ path: 'overlap.zip', message: expect.stringMatching(/^refused: entries overlap \(f\d+\): a zip bomb's construction$/) }]);
  });

  it('members declaring more than the 1 GiB budget: refused before anything is inflated', async () => {
    const entries = Array.from({ length: 70 }, (_, i) => ({ name: `z${i}.bin`, data: kernel, method: 8 as const, size: zeros.length }));
    const dir = testTree({ 'declared.zip': rawZip(entries), 'app.env': `TOKEN=${githubToken()}\n` });
    const started = performance.now();
    const { code, report } = await scanJson(dir);
    expect(code).toBe(2);
    expect(where(report)).toEqual(['app.env:1']);
    expect(report.errors).toEqual([{ path: 'declared.zip', message: 'refused: members declare 1.1 GiB uncompressed, past the archive budget of 1 GiB (a zip bomb?); the rest of this file was not scanned' }]);
    // Nothing was inflated: far less than inflating 1.1 GiB takes.
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('a recursive bomb (zips of zips): stopped where the expansion budget runs out, findings before it kept', async () => {
    const token = githubToken();
    const layer = zip(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${i}.bin`, zeros.subarray(0, 1 << 20)])));
    const bomb = zip({ 'a-first.env': `TOKEN=${token}\n`, ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${i}.zip`, layer])) });
    const dir = testTree({ 'bomb.zip': bomb });
    const result = await scanWithLimits(dir, { maxExpandedBytes: 20 << 20 });
    expect(result.findings.map((f) => f.origin.path)).toEqual(['bomb.zip!a-first.env']);
    expect(result.problems).toEqual([{ path: 'bomb.zip!2.zip', message: expect.stringMatching(/^refused: members declare 8 MiB uncompressed, past the archive budget of 20 MiB .*the rest of this file was not scanned$/) }]);
  });

  it('a gzip bomb (gzip members of zeros, concatenated) is stopped while it streams', async () => {
    const member = gzipSync(Buffer.alloc(8 << 20), { level: 9 });
    const dir = testTree({ 'logs.gz': Buffer.concat(Array.from({ length: 8 }, () => member)), 'app.env': `TOKEN=${githubToken()}\n` });
    const result = await scanWithLimits(dir, { maxExpandedBytes: 32 << 20 });
    expect(result.findings.map((f) => f.origin.path)).toEqual(['app.env']);
    expect(result.problems).toEqual([{ path: 'logs.gz', message: 'refused: archive contents expand past 32 MiB (the archive budget: a zip bomb?); the rest of this file was not scanned' }]);
  });

  it('more members than the entry budget', async () => {
    const dir = testTree({ 'many.zip': zip(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}.txt`, 'x\n']))) });
    const result = await scanWithLimits(dir, { maxEntries: 20 });
    expect(result.problems).toEqual([{ path: 'many.zip', message: 'refused: more than 20 archive members (the archive budget: a zip bomb?); the rest of this file was not scanned' }]);
  });
});

describe('archives in git', () => {
  it('a token inside a jar: found in --staged and in --history at archive!member:line, with the commit', async () => {
    const token = githubToken();
    const repo = testRepo();
    repo.commit('init', { 'README.md': 'hello\n' });
    mkdirSync(join(repo.dir, 'libs'), { recursive: true });
    writeFileSync(join(repo.dir, 'libs/client.jar'), zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'com/acme/client.properties': `endpoint=https://api.example.com\n\ntoken=${token}\n` }));
    repo.git('add', '-A');
    const staged = await scanJson(repo.dir, ['--staged']);
    expect(staged.code).toBe(1);
    expect(where(staged.report)).toEqual(['libs/client.jar!com/acme/client.properties:3']);
    const sha = repo.commit('vendor the client', {});
    repo.commit('unrelated', { 'README.md': 'hello again\n' });
    const history = await scanJson(repo.dir, ['--history']);
    expect(history.code).toBe(1);
    expect(history.report.findings.map((f) => [`${f.path}:${f.line}`, f.commit])).toEqual([['libs/client.jar!com/acme/client.properties:3', sha]]);
  });

  it('the organisation scanner finds it the same way (it shares the history source)', { timeout: 120_000 }, async () => {
    const token = githubToken();
    const repo = testRepo();
    mkdirSync(join(repo.dir, 'libs'), { recursive: true });
    writeFileSync(join(repo.dir, 'libs/client.jar'), zip({ 'com/acme/client.properties': `\ntoken=${token}\n` }));
    const sha = repo.commit('vendor the client', {});
    const dir = testTree({ 'repos.txt': `file://${repo.dir}\n` });
    const r = await tokenward(['org', 'scan', '--repos', 'repos.txt', '--cache', join(dir, 'cache'), '--no-config', '--attempts', '1', '-f', 'json', '-o', 'report.json'], dir);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { secrets: Array<{ ruleId: string; locations: Array<{ path: string; line: number; commit: string; presentAtHead: boolean }> }> };
    expect(report.secrets.flatMap((s) => s.locations.map((l) => [s.ruleId, `${l.path}:${l.line}`, l.commit, l.presentAtHead]))).toEqual([['github-pat-classic', 'libs/client.jar!com/acme/client.properties:2', sha, true]]);
  });
});
