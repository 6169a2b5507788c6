import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { UsageError } from '@tokenward/project';

/**
 * The one place Tokenward runs git. Four ways in, each for one job:
 *  - `runGit` / `gitSync`: plumbing with a short answer (rev-parse, ls-files, diff --raw), run to
 *    completion without loading a library: the pre-commit path must start fast;
 *  - `gitStream`: a long listing read as it comes (`git log --raw` over a whole history);
 *  - `CatFileBatch`: object contents, from one `git cat-file --batch` process for any number of
 *    objects (history, staged changes);
 *  - `porcelain`: simple-git for the calls of setup commands (config, hooks), loaded on first use.
 * Git never runs through a shell, and secrets are never among its arguments.
 */

export interface GitRepo {
  /** Absolute path of the work tree's top folder. */
  root: string;
  /** Absolute path of the git folder (`.git`, or the worktree's git dir). */
  gitDir: string;
  /** Environment git runs with (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface GitResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
  /** Set when git could not be started (not installed, cwd gone). */
  error?: NodeJS.ErrnoException;
}

/** Runs git to completion and returns what it said; never throws. */
export function runGit(args: readonly string[], cwd: string, options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): GitResult {
  const r = spawnSync('git', args, { cwd, input: options.input, env: options.env, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = r.stderr ? r.stderr.toString('utf8').trim() : '';
  if (r.error) return { status: null, stdout: Buffer.alloc(0), stderr, error: r.error };
  return { status: r.status, stdout: r.stdout, stderr };
}

/**
 * `runGit` without blocking the event loop, for long network calls (clone, fetch, ls-remote of
 * the organisation scanner's workers): `timeoutMs` ends a stalled one.
 */
export function runGitAsync(args: readonly string[], cwd: string | undefined, options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<GitResult> {
  return new Promise((done) => {
    const child = spawn('git', args, { cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.once('error', (error: NodeJS.ErrnoException) => done({ status: null, stdout: Buffer.alloc(0), stderr: Buffer.concat(err).toString('utf8').trim(), error }));
    child.once('close', (status) => done({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim() }));
  });
}

/** `runGit` in a repository (or a folder), with "git cannot be run" as a usage error. */
export function gitSync(args: readonly string[], at: Pick<GitRepo, 'root' | 'env'>, input?: string | Buffer): GitResult {
  const r = runGit(args, at.root, { input, env: at.env });
  if (r.error) throw new UsageError(`cannot run git: ${r.error.code ?? r.error.message} (is git installed and on PATH?)`);
  return r;
}

/** simple-git for porcelain calls (configuration, hook folders), loaded on first use so a scan
 * never pays for it. It runs git with this process's environment minus GIT_* variables (its
 * guard against environment injection). */
export async function porcelain(dir: string): Promise<SimpleGit> {
  const { simpleGit } = await import('simple-git');
  return simpleGit({ baseDir: dir });
}

const firstLine = (s: string): string => s.split('\n').find((l) => l.trim())?.replace(/^(fatal|error): /, '') ?? '';

/**
 * Finds the repository holding `path` with plain `git rev-parse` (one process, no library load):
 * the pre-commit path must start fast. A path that is not in a repository is a usage error.
 * `allowBare`: a bare repository (a mirror clone) is accepted, as its git folder; history scans
 * read only objects, so they need no work tree.
 */
export function discoverRepo(path: string, cwd: string, env?: NodeJS.ProcessEnv, options: { allowBare?: boolean } = {}): GitRepo {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  let dir = abs;
  try {
    if (!statSync(abs).isDirectory()) dir = resolve(abs, '..');
  } catch {
    throw new UsageError(`path not found: ${path}`);
  }
  const r = gitSync(['rev-parse', '--show-toplevel', '--absolute-git-dir'], { root: dir, env });
  if (r.status !== 0 && options.allowBare) {
    const [bare, gitDir] = gitSync(['rev-parse', '--is-bare-repository', '--absolute-git-dir'], { root: dir, env }).stdout.toString('utf8').trim().split('\n');
    if (bare === 'true' && gitDir) return { root: gitDir, gitDir };
  }
  if (r.status !== 0) {
    const why = firstLine(r.stderr);
    if (/not a git repository/i.test(why)) throw new UsageError(`not a git repository: ${path}`);
    throw new UsageError(`not a git repository: ${path}${why ? ` (${why})` : ''}`);
  }
  const [root, gitDir] = r.stdout.toString('utf8').trim().split('\n');
  if (!root || !gitDir) throw new UsageError(`not a git work tree: ${path} (a bare repository has no staged changes or HEAD files to scan here)`);
  return env ? { root, gitDir, env } : { root, gitDir };
}

/** The commit a revision names, or a usage error naming the revision. */
export function resolveCommit(repo: GitRepo, rev: string, what = 'revision'): string {
  if (rev.startsWith('-')) throw new UsageError(`unknown ${what} "${rev}"`);
  const r = gitSync(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], repo);
  if (r.status !== 0) throw new UsageError(`unknown ${what} "${rev}": no such commit in ${repo.root}`);
  return r.stdout.toString('utf8').trim();
}

/** Whether the repository has any commit at all (a fresh `git init` has none). */
export function hasHead(repo: GitRepo): boolean {
  return gitSync(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], repo).status === 0;
}

/** Boundary commits of a shallow clone (their parents are missing), or an empty set. */
export function shallowCommits(repo: GitRepo): Set<string> {
  const file = gitSync(['rev-parse', '--git-path', 'shallow'], repo).stdout.toString('utf8').trim();
  const abs = isAbsolute(file) ? file : resolve(repo.root, file);
  if (!existsSync(abs)) return new Set();
  return new Set(
    readFileSync(abs, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/**
 * Git maps pack files in windows of up to 1 GiB by default, so reading a whole history makes
 * git's resident memory as large as the pack. Smaller windows measured the same speed on a 190 MB
 * pack with a third of the memory (cat-file 294 → 107 MB, log --raw 309 → 149 MB).
 */
export const LOW_MEMORY_PACK_ACCESS = ['-c', 'core.packedGitWindowSize=16m', '-c', 'core.packedGitLimit=64m', '-c', 'core.deltaBaseCacheLimit=32m'];

export const isZeroSha = (sha: string): boolean => /^0+$/.test(sha);

/**
 * `git cat-file --batch` as a reader: ask for objects by id, get their bytes back in order.
 * One process serves any number of blobs (the fastest way git hands out object contents).
 */
export class CatFileBatch {
  private readonly proc: ChildProcessWithoutNullStreams;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the next object can be parsed (0: try on every chunk). */
  private need = 0;
  private readonly waiting: string[] = [];
  private ended = false;
  private failure: Error | undefined;
  private stderr = '';
  /** Resolves when every requested object has been delivered and git has exited. */
  readonly done: Promise<void>;

  constructor(
    repo: Pick<GitRepo, 'root' | 'env'>,
    private readonly onObject: (id: string, type: string, bytes: Buffer | undefined) => void,
  ) {
    this.proc = spawn('git', [...LOW_MEMORY_PACK_ACCESS, 'cat-file', '--batch'], { cwd: repo.root, env: repo.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // Writes after git died would throw EPIPE asynchronously; the exit handler reports it.
    this.proc.stdin.on('error', () => {});
    this.done = new Promise((resolveDone, reject) => {
      this.proc.once('error', (e) => reject(new UsageError(`cannot run git cat-file: ${e.message}`)));
      this.proc.once('close', (code) => {
        if (this.failure) reject(this.failure);
        else if (code !== 0 || this.waiting.length > 0) reject(new Error(`git cat-file failed (exit ${code}): ${firstLine(this.stderr)}`));
        else resolveDone();
      });
    });
  }

  /** Queues one object. Returns false when git's input is full (wait for `drained()`). */
  request(id: string): boolean {
    this.waiting.push(id);
    return this.proc.stdin.write(`${id}\n`);
  }

  drained(): Promise<void> {
    return new Promise((r) => this.proc.stdin.once('drain', r));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.proc.stdin.end();
  }

  kill(): void {
    this.proc.kill();
  }

  /** Stop reading git's output for a while (the consumer is behind); git then blocks on its pipe. */
  pause(): void {
    this.proc.stdout.pause();
  }

  resume(): void {
    this.proc.stdout.resume();
  }

  private receive(chunk: Buffer): void {
    // A large blob arrives in many 64 KiB chunks: collect them and join once it is complete,
    // instead of re-joining the growing buffer on every chunk (quadratic).
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) return;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let pos = 0;
    this.need = 0;
    try {
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        const header = buf.toString('latin1', pos, nl);
        const parts = header.split(' ');
        if (parts[1] === 'missing' || parts[1] === 'ambiguous') {
          this.waiting.shift();
          this.onObject(parts[0]!, parts[1], undefined);
          pos = nl + 1;
          continue;
        }
        const size = Number(parts[2]);
        if (parts.length !== 3 || !Number.isFinite(size)) throw new Error(`unexpected git cat-file output: ${header.slice(0, 80)}`);
        if (buf.length < nl + 1 + size + 1) {
          this.need = nl + 1 + size + 1 - pos;
          break;
        }
        this.waiting.shift();
        this.onObject(parts[0]!, parts[1]!, buf.subarray(nl + 1, nl + 1 + size));
        pos = nl + 1 + size + 1;
      }
    } catch (e) {
      this.failure = e as Error;
      this.proc.kill();
    }
    // Keep only the unparsed tail; copy a small one so a large chunk is not pinned by it.
    const tail = buf.subarray(pos);
    this.pending = tail.length === 0 ? [] : [tail.length < 1 << 16 ? Buffer.from(tail) : tail];
    this.pendingBytes = tail.length;
  }
}

/** Runs a git command streaming its stdout to `onData`; rejects with git's message on failure. */
export function gitStream(args: readonly string[], repo: Pick<GitRepo, 'root' | 'env'>, onData: (chunk: Buffer) => void): { done: Promise<void>; proc: ChildProcessWithoutNullStreams } {
  const proc = spawn('git', args, { cwd: repo.root, env: repo.env, stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stdin.end();
  let stderr = '';
  proc.stdout.on('data', onData);
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<void>((resolveDone, reject) => {
    proc.once('error', (e) => reject(new UsageError(`cannot run git: ${e.message}`)));
    proc.once('close', (code, signal) => {
      if (code === 0) resolveDone();
      else reject(new UsageError(`git ${args[0]} failed${signal ? ` (${signal})` : ''}: ${firstLine(stderr) || `exit ${code}`}`));
    });
  });
  return { done, proc };
}
