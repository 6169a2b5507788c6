import * as fs from 'node:fs';
import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Finding } from '@tokenward/engine';
import { isOwnState, UsageError, writtenReports } from '@tokenward/project';
import { Tally, type FileRef, type SourceResult } from './chunk.js';
import { runGit } from './git.js';
import { submodulePaths } from './submodules.js';
import type { ChunkPool } from './pool.js';
import type { Source, SourceScanOptions } from './source.js';

export interface ListedFile {
  /** Absolute path. */
  abs: string;
  /** Path shown in reports: relative to the working directory, with `/` separators. */
  display: string;
  /** Hex of the path's bytes when its name is not valid UTF-8 (`abs` then shows it escaped,
   * `\xNN`): a string cannot name such a file, so it is opened by these bytes. */
  raw?: string;
  /** The listing saw a regular file (a folder walk, a named file): it is read without an fstat.
   * Not known for git's listing, which names symlinks too. */
  regular?: true;
}

/** A file name as bytes: printable when valid UTF-8, else each invalid byte as `\xNN`. */
function safeName(bytes: Buffer): { name: string; raw?: string } {
  const name = bytes.toString('utf8');
  if (Buffer.from(name, 'utf8').equals(bytes)) return { name };
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return { name: out, raw: bytes.toString('hex') };
}

/** Non-UTF-8 names found by the last listings: escaped absolute path → hex of the real bytes. */
const rawNames = new Map<string, string>();

export interface WalkProblem {
  path: string;
  message: string;
}

export interface WalkOptions {
  /** Walk every file, ignoring .gitignore (like ripgrep's --no-ignore). */
  noIgnore?: boolean;
  /** Paths are shown relative to this folder; Tokenward's own state below it is never listed. */
  cwd?: string;
  /** More files never to list (absolute paths): the report a scan is about to write. */
  exclude?: Iterable<string>;
  /** Environment git runs with. */
  env?: NodeJS.ProcessEnv;
  /** List the files of checked-out submodules (default true). */
  submodules?: boolean;
}

export const toDisplay = (abs: string, cwd: string): string => {
  // Fast path for the common case, a file below the working directory (path.relative is costly
  // across tens of thousands of files).
  const rel = abs.startsWith(cwd) && abs[cwd.length] === sep ? abs.slice(cwd.length + 1) : relative(cwd, abs) || abs;
  return sep === '/' ? rel : rel.split(sep).join('/');
};

/**
 * Files tracked or untracked-but-not-ignored under `dir`, by git itself: exactly git's ignore
 * semantics (nested .gitignore, .git/info/exclude, core.excludesFile). Undefined outside a
 * repository, or when `dir` itself is ignored (then the user asked for it explicitly).
 */
function gitListing(dir: string, env: NodeJS.ProcessEnv | undefined, submodules = true): string[] | undefined {
  const git = (args: string[]) => runGit(args, dir, { env });
  // One git call tells both: inside a work tree, and where its top is.
  const inside = git(['rev-parse', '--is-inside-work-tree', '--show-toplevel']);
  const [isInside, top] = inside.stdout.toString('utf8').trim().split('\n');
  if (inside.status !== 0 || isInside !== 'true' || !top) return undefined;
  // The top of a work tree cannot be ignored; a folder below it can (then it was named on purpose).
  if (top !== dir && git(['check-ignore', '-q', '.']).status === 0) return undefined;
  const r = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate']);
  if (r.status !== 0) return undefined;
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  // Git's names are already normal (no `.`, `..` or doubled separators): a prefix is all it takes.
  const toAbs = sep === '/' ? (name: string) => prefix + name : (name: string) => prefix + name.split('/').join(sep);
  const bytes = r.stdout;
  const text = bytes.toString('utf8');
  // Every name valid UTF-8 (no U+FFFD from decoding; the usual case): one decode and one split.
  if (!text.includes('\uFFFD')) return withSubmodules(top, dir, text.split('\0').filter(Boolean).map(toAbs), env, submodules);
  // Split the bytes, not the decoded string: a name that is not UTF-8 would otherwise be mangled
  // into U+FFFD, name no file, and be dropped as "vanished during the scan".
  const out: string[] = [];
  let from = 0;
  for (let nul = bytes.indexOf(0); nul !== -1; from = nul + 1, nul = bytes.indexOf(0, from)) {
    if (nul === from) continue;
    const entry = bytes.subarray(from, nul);
    const { name, raw } = safeName(entry);
    const abs = toAbs(name);
    if (raw) rawNames.set(abs, Buffer.concat([Buffer.from(prefix), entry]).toString('hex'));
    out.push(abs);
  }
  return withSubmodules(top, dir, out, env, submodules);
}

/** A checked-out submodule is one entry in git's listing: its own files take its place. */
function withSubmodules(top: string, dir: string, listed: string[], env: NodeJS.ProcessEnv | undefined, submodules: boolean): string[] {
  if (!submodules) return listed;
  const subs = submodulePaths(top, env).map((p) => join(top, p));
  if (subs.length === 0) return listed;
  const inside = new Set(subs);
  const out = listed.filter((f) => !inside.has(f));
  for (const sub of subs) {
    if (sub !== dir && !sub.startsWith(dir.endsWith(sep) ? dir : dir + sep)) continue;
    out.push(...(gitListing(sub, env) ?? []));
  }
  return out;
}

/** fast-glob walk that records unreadable folders instead of dropping them silently. It lists
 * regular files only (`onlyFiles` without following links: no links, pipes or sockets). */
async function globWalk(dir: string, problems: WalkProblem[]): Promise<string[]> {
  const readdirSync = ((path: string, options?: unknown) => {
    try {
      return fs.readdirSync(path, options as fs.ObjectEncodingOptions & { withFileTypes: true });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ENOENT') problems.push({ path, message: err.code ?? err.message });
      throw err;
    }
  }) as unknown as typeof fs.readdirSync;
  // Loaded on first use: git repositories (and pre-commit runs) never need it, and its ~100
  // module files cost tens of milliseconds of start-up.
  const { default: fg } = await import('fast-glob');
  // The synchronous walk is two to three times faster than the asynchronous one, and the scan
  // cannot start before the list is complete anyway.
  const relativePaths = fg.sync('**', {
    cwd: dir,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    // A .git folder, and the .git file of a linked worktree or submodule.
    ignore: ['**/.git/**', '**/.git'],
    fs: { ...fs, readdirSync },
  });
  // fast-glob's `absolute` resolves every entry; a prefix is all it takes.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return sep === '/' ? relativePaths.map((r) => prefix + r) : relativePaths.map((r) => prefix + r.split('/').join(sep));
}

/**
 * Expands the scan paths into files, the same way for every consumer (the CLI, the editor's
 * workspace scan): inside a git repository what git tracks or would track, elsewhere every file
 * (fast-glob), never Tokenward's own state. A path that does not exist is a usage error.
 */
export async function listFiles(paths: readonly string[], options: WalkOptions = {}): Promise<{ files: ListedFile[]; problems: WalkProblem[] }> {
  const cwd = options.cwd ?? process.cwd();
  const problems: WalkProblem[] = [];
  const seen = new Set<string>();
  const files: ListedFile[] = [];
  const reports = writtenReports(cwd);
  for (const e of options.exclude ?? []) reports.add(e);
  const add = (abs: string, regular: boolean) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    if (isOwnState(abs, cwd, reports)) return;
    const file: ListedFile = { abs, display: toDisplay(abs, cwd) };
    const raw = rawNames.get(abs);
    if (raw) file.raw = raw;
    if (regular) file.regular = true;
    files.push(file);
  };
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = statSync(abs);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new UsageError(`path not found: ${p}`);
      // It exists but cannot be read (permissions, symlink loop): report it and go on.
      problems.push({ path: toDisplay(abs, cwd), message: `${err.code ?? 'error'}: ${err.message.replace(/^[A-Z]+: /, '')}` });
      continue;
    }
    if (!st.isDirectory()) {
      add(abs, st.isFile());
      continue;
    }
    const listed = options.noIgnore ? undefined : gitListing(abs, options.env, options.submodules ?? true);
    // The walk lists regular files only (symlinks are not followed); git's listing may name a symlink.
    const all = listed ?? (await globWalk(abs, problems));
    all.sort();
    for (const f of all) add(f, !listed);
  }
  return { files, problems };
}

/** Files as a source: each one a chunk, read where it is scanned. */
export class FilesSource implements Source {
  constructor(private readonly files: readonly ListedFile[]) {}

  get size(): number {
    return this.files.length;
  }

  async scan(pool: ChunkPool, options: SourceScanOptions = {}): Promise<SourceResult> {
    const tally = new Tally(options.onProgress);
    pool.plan({ chunks: this.files.length });
    for (const f of this.files) {
      const file: FileRef = { abs: f.abs };
      if (f.raw) file.raw = f.raw;
      if (f.regular) file.regular = true;
      pool.scan({ origin: { path: f.display, kind: 'file' }, file }, (outcome) => tally.add(f.display, outcome));
    }
    await pool.drain();
    tally.findings.sort(compareFindings);
    return tally.finish();
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.origin.path !== b.origin.path) return a.origin.path < b.origin.path ? -1 : 1;
  return a.byteOffset - b.byteOffset || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
