import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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
    // No input: no pipe to create and close (each costs this process time at start).
    const child = spawn('git', args, { cwd, env: options.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    if (child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
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

/** `gitSync` without blocking: git runs while this process goes on. */
export async function gitAsync(args: readonly string[], at: Pick<GitRepo, 'root' | 'env'>): Promise<GitResult> {
  const r = await runGitAsync(args, at.root, { env: at.env });
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
  const dir = folderOf(path, cwd);
  const r = gitSync(DISCOVER, { root: dir, env });
  if (r.status !== 0 && options.allowBare) {
    const [bare, gitDir] = gitSync(['rev-parse', '--is-bare-repository', '--absolute-git-dir'], { root: dir, env }).stdout.toString('utf8').trim().split('\n');
    if (bare === 'true' && gitDir) return { root: gitDir, gitDir };
  }
  return workTreeFrom(r, path, env);
}

/**
 * `discoverRepo` for a work tree, without waiting for git: the pre-commit path. Where nothing in
 * the environment moves the repository (GIT_DIR and friends), the work tree is the nearest folder
 * holding a `.git` folder (or a `.git` file naming one: worktrees, submodules), found with a few
 * stats instead of a git process (starting one costs ~10 ms here). Otherwise, or when no such
 * folder is found, `git rev-parse` decides, running while the caller goes on. Same errors, when
 * awaited.
 */
export function discoverWorkTree(path: string, cwd: string, env?: NodeJS.ProcessEnv): { dir: string; repo: Promise<GitRepo> } {
  const dir = folderOf(path, cwd);
  const found = LOCATING_ENV.some((v) => (env ?? process.env)[v] !== undefined) ? undefined : nearestWorkTree(dir);
  if (found) return { dir, repo: Promise.resolve(env ? { ...found, env } : found) };
  return { dir, repo: gitAsync(DISCOVER, { root: dir, env }).then((r) => workTreeFrom(r, path, env)) };
}

/** Git's environment variables that change where it finds the repository. */
const LOCATING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM'];

/** The nearest folder at or above `dir` with a `.git` that holds a HEAD (git's own test). */
function nearestWorkTree(dir: string): GitRepo | undefined {
  let at: string;
  try {
    at = realpathSync(dir);
  } catch {
    return undefined;
  }
  for (;;) {
    const dotGit = join(at, '.git');
    const st = statSync(dotGit, { throwIfNoEntry: false });
    let gitDir: string | undefined;
    if (st?.isDirectory()) gitDir = dotGit;
    else if (st?.isFile()) {
      const named = /^gitdir: *(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
      if (named) gitDir = resolve(at, named);
    }
    if (gitDir && statSync(join(gitDir, 'HEAD'), { throwIfNoEntry: false })?.isFile()) return { root: at, gitDir };
    // Anything else named .git: git would complain; let it.
    if (st) return undefined;
    const up = dirname(at);
    if (up === at) return undefined;
    at = up;
  }
}

const DISCOVER = ['rev-parse', '--show-toplevel', '--absolute-git-dir'];

/** The folder git runs in for `path` (a file's folder); a usage error when the path is missing. */
function folderOf(path: string, cwd: string): string {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    return statSync(abs).isDirectory() ? abs : resolve(abs, '..');
  } catch {
    throw new UsageError(`path not found: ${path}`);
  }
}

/** The work tree `git rev-parse --show-toplevel --absolute-git-dir` answered, or why there is none. */
function workTreeFrom(r: GitResult, path: string, env: NodeJS.ProcessEnv | undefined): GitRepo {
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
 * git's resident memory as large as the pack. Bounded windows keep each git process well under
 * 300 MB; 16 MB windows were measured too small on a 280 MB pack (prettier's mirror: `git log
 * --raw --all` 4.1 s of CPU at 64 MB / 256 MB, 16 s at 16 MB / 64 MB: git then spends its time
 * re-mapping windows), 64 MB windows within 256 MB keep the speed of git's defaults.
 */
export const LOW_MEMORY_PACK_ACCESS = ['-c', 'core.packedGitWindowSize=64m', '-c', 'core.packedGitLimit=256m', '-c', 'core.deltaBaseCacheLimit=32m'];

export const isZeroSha = (sha: string): boolean => /^0+$/.test(sha);

/** What `CatFileBatch` gives for each object asked for: its bytes, or why there are none. */
export type CatFileAnswer = { id: string; type: string; bytes: Buffer } | { id: string; type: 'missing' | 'unreadable'; bytes: undefined; message: string };

/**
 * `git cat-file --batch` as a reader: ask for objects by id, get their bytes back in order.
 * One process serves any number of blobs (the fastest way git hands out object contents).
 *
 * A damaged repository does not end the reading: git reports a missing object and goes on, but
 * dies on an object it cannot inflate (a corrupt or truncated pack); that object is then answered
 * as unreadable with git's message, and a new process serves the objects still asked for. Only a
 * git that dies again without getting past a single object is an error.
 */
export class CatFileBatch {
  private proc!: ChildProcessWithoutNullStreams;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the next object can be parsed (0: try on every chunk). */
  private need = 0;
  /** Ids asked for and not answered yet, in order (the head is the one git is on). */
  private waiting: string[] = [];
  private head = 0;
  private ended = false;
  private paused = false;
  private failure: Error | undefined;
  private stderr = '';
  /** Answers since the current process started (a restart that delivers none gives up). */
  private answered = 0;
  private drainWaiters: Array<() => void> = [];
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  /** Resolves when every requested object has been answered and git has exited. */
  readonly done: Promise<void>;

  constructor(
    private readonly repo: Pick<GitRepo, 'root' | 'env'>,
    private readonly onObject: (answer: CatFileAnswer) => void,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.start();
  }

  private start(): void {
    const proc = spawn('git', [...LOW_MEMORY_PACK_ACCESS, 'cat-file', '--batch'], { cwd: this.repo.root, env: this.repo.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    this.stderr = '';
    this.answered = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.need = 0;
    proc.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    proc.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    // Writes after git died would throw EPIPE asynchronously; the exit handler reports it.
    proc.stdin.on('error', () => {});
    proc.stdin.on('drain', () => this.wakeDrain());
    if (this.paused) proc.stdout.pause();
    proc.once('error', (e) => this.settle.reject(new UsageError(`cannot run git cat-file: ${e.message}`)));
    proc.once('close', (code) => this.closed(proc, code));
  }

  private closed(proc: ChildProcessWithoutNullStreams, code: number | null): void {
    if (proc !== this.proc) return;
    this.wakeDrain();
    if (this.failure) return this.settle.reject(this.failure);
    const left = this.waiting.length - this.head;
    if (code === 0 && left === 0) return this.settle.resolve();
    if (left === 0 && !this.ended) return this.settle.reject(new Error(`git cat-file failed (exit ${code}): ${firstLine(this.stderr)}`));
    // Git died on the object it was reading: that one is unreadable, the others are asked again.
    const why = this.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const message = (why.find((l) => l.startsWith('fatal:')) ?? why[why.length - 1] ?? `git cat-file exited with ${code}`).replace(/^(fatal|error): /, '');
    if (this.answered === 0 && !why.some((l) => /corrupt|inflate|bad object|truncated|packfile|loose object/i.test(l))) {
      return this.settle.reject(new Error(`git cat-file failed (exit ${code}): ${message}`));
    }
    const id = this.waiting[this.head++]!;
    this.onObject({ id, type: 'unreadable', bytes: undefined, message });
    const rest = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    if (rest.length === 0 && this.ended) return this.settle.resolve();
    this.start();
    for (const r of rest) this.request(r);
    if (this.ended) this.proc.stdin.end();
  }

  /** Queues one object. Returns false when git's input is full (wait for `drained()`). */
  request(id: string): boolean {
    this.waiting.push(id);
    return this.proc.stdin.write(`${id}\n`);
  }

  /** Resolves when git's input has room again (or the process it was written to ended). */
  drained(): Promise<void> {
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private wakeDrain(): void {
    for (const w of this.drainWaiters.splice(0)) w();
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
    this.paused = true;
    this.proc.stdout.pause();
  }

  resume(): void {
    this.paused = false;
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
          this.answer({ id: parts[0]!, type: 'missing', bytes: undefined, message: parts[1] });
          pos = nl + 1;
          continue;
        }
        const size = Number(parts[2]);
        if (parts.length !== 3 || !Number.isFinite(size)) throw new Error(`unexpected git cat-file output: ${header.slice(0, 80)}`);
        if (buf.length < nl + 1 + size + 1) {
          this.need = nl + 1 + size + 1 - pos;
          break;
        }
        this.answer({ id: parts[0]!, type: parts[1]!, bytes: buf.subarray(nl + 1, nl + 1 + size) });
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

  private answer(a: CatFileAnswer): void {
    this.head++;
    this.answered++;
    // Drop answered ids now and then, not on every answer (shift is linear on long queues).
    if (this.head > 4096 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    this.onObject(a);
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
