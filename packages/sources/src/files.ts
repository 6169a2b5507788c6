import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StreamScanner, scanBytes, type CompiledRules, type Finding } from '@tokenward/engine';
import { UsageError } from '@tokenward/project';

export interface ListedFile {
  /** Absolute path. */
  abs: string;
  /** Path shown in reports: relative to the working directory, with `/` separators. */
  display: string;
  /** Hex of the path's bytes when its name is not valid UTF-8 (`abs` then shows it escaped,
   * `\xNN`): a string cannot name such a file, so it is opened by these bytes. */
  raw?: string;
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
  cwd?: string;
}

export const toDisplay = (abs: string, cwd: string): string => {
  // Fast path for the common case, a file below the working directory (path.relative is costly
  // across tens of thousands of files).
  const rel = abs.startsWith(cwd) && abs[cwd.length] === sep ? abs.slice(cwd.length + 1) : relative(cwd, abs) || abs;
  return sep === '/' ? rel : rel.split(sep).join('/');
};

function git(args: string[], cwd: string): { status: number | null; stdout: Buffer } {
  const r = spawnSync('git', args, { cwd, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  return { status: r.error ? null : r.status, stdout: r.stdout ?? Buffer.alloc(0) };
}

/**
 * Files tracked or untracked-but-not-ignored under `dir`, by git itself: exactly git's ignore
 * semantics (nested .gitignore, .git/info/exclude, core.excludesFile). Undefined outside a
 * repository, or when `dir` itself is ignored (then the user asked for it explicitly).
 */
function gitListing(dir: string): string[] | undefined {
  const inside = git(['rev-parse', '--is-inside-work-tree'], dir);
  if (inside.status !== 0 || inside.stdout.toString().trim() !== 'true') return undefined;
  if (git(['check-ignore', '-q', '.'], dir).status === 0) return undefined;
  const r = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'], dir);
  if (r.status !== 0) return undefined;
  // Split the bytes, not a decoded string: a name that is not UTF-8 would otherwise be mangled
  // into U+FFFD, name no file, and be dropped as "vanished during the scan".
  const out: string[] = [];
  const bytes = r.stdout;
  let from = 0;
  for (let nul = bytes.indexOf(0); nul !== -1; from = nul + 1, nul = bytes.indexOf(0, from)) {
    if (nul === from) continue;
    const entry = bytes.subarray(from, nul);
    const { name, raw } = safeName(entry);
    const abs = join(dir, name);
    if (raw) rawNames.set(abs, Buffer.concat([Buffer.from(dir.endsWith(sep) ? dir : dir + sep), entry]).toString('hex'));
    out.push(abs);
  }
  return out;
}

/** fast-glob walk that records unreadable folders instead of dropping them silently. */
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
    ignore: ['**/.git/**'],
    fs: { ...fs, readdirSync },
  });
  // fast-glob's `absolute` resolves every entry; a prefix is all it takes.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return sep === '/' ? relativePaths.map((r) => prefix + r) : relativePaths.map((r) => prefix + r.split('/').join(sep));
}

/** Expands the scan paths into files. A path that does not exist is a usage error. */
export async function listFiles(paths: readonly string[], options: WalkOptions = {}): Promise<{ files: ListedFile[]; problems: WalkProblem[] }> {
  const cwd = options.cwd ?? process.cwd();
  const problems: WalkProblem[] = [];
  const seen = new Set<string>();
  const files: ListedFile[] = [];
  const add = (abs: string) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    const raw = rawNames.get(abs);
    files.push(raw ? { abs, display: toDisplay(abs, cwd), raw } : { abs, display: toDisplay(abs, cwd) });
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
      add(abs);
      continue;
    }
    const listed = options.noIgnore ? undefined : gitListing(abs);
    const all = listed ?? (await globWalk(abs, problems));
    all.sort();
    for (const f of all) add(f);
  }
  return { files, problems };
}

export type FileOutcome =
  | { kind: 'scanned'; bytes: number; findings: Finding[] }
  | { kind: 'binary'; bytes: number }
  | { kind: 'skipped'; bytes: number; reason: string }
  | { kind: 'unreadable'; message: string };

/** Files up to this size are read whole; larger ones are streamed in chunks with overlap. */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
const READ_CHUNK = 8 * 1024 * 1024;
const SNIFF = 8000;

/** NUL in the first 8000 bytes means binary (git's and ripgrep's heuristic). */
export function looksBinary(bytes: Uint8Array): boolean {
  // indexOf is native (memchr): several times faster than a loop over the bytes here.
  return bytes.subarray(0, SNIFF).indexOf(0) !== -1;
}

/**
 * One read buffer per thread, reused from file to file: allocating a fresh Buffer per file made
 * the garbage collector as busy as the scan itself. Safe because a file is scanned synchronously
 * and findings keep strings, never views of the bytes.
 */
let sharedReadBuffer: Buffer | undefined;
function readBuffer(size: number): Buffer {
  if (!sharedReadBuffer || sharedReadBuffer.length < size) {
    let cap = 1 << 20;
    while (cap < size) cap *= 2;
    sharedReadBuffer = Buffer.allocUnsafeSlow(cap);
  }
  return sharedReadBuffer;
}

/** UTF-16 text (Windows tools write it) holds NULs but is text: transcode it to UTF-8. */
function fromUtf16(bytes: Buffer): Buffer | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(new TextDecoder('utf-16le').decode(bytes.subarray(2)), 'utf8');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(new TextDecoder('utf-16be').decode(bytes.subarray(2)), 'utf8');
  // Without a BOM (PowerShell `Out-File -Encoding Unicode` piped elsewhere, some exports):
  // mostly-ASCII UTF-16 has a NUL in nearly every odd (LE) or even (BE) byte of its start.
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero >= pairs * 0.9 && evenZero <= pairs * 0.1) return Buffer.from(new TextDecoder('utf-16le').decode(bytes.subarray(0, bytes.length & ~1)), 'utf8');
  if (evenZero >= pairs * 0.9 && oddZero <= pairs * 0.1) return Buffer.from(new TextDecoder('utf-16be').decode(bytes.subarray(0, bytes.length & ~1)), 'utf8');
  return undefined;
}

/**
 * The bytes to scan: as they are for text, transcoded to UTF-8 for UTF-16, undefined for binary.
 * Every source (files, staged, history) decides with this one function so they cannot disagree.
 */
export function textBytes(bytes: Buffer): Buffer | undefined {
  if (!looksBinary(bytes)) return bytes;
  return fromUtf16(bytes);
}

export interface ScanFileOptions {
  /** Files larger than this are skipped (and counted). Default: no limit. */
  maxFileSize?: number;
}

/** Reads and scans one file. Never throws for I/O problems: they become an outcome. */
export function scanFile(compiled: CompiledRules, file: ListedFile, options: ScanFileOptions = {}): FileOutcome {
  const origin = { path: file.display, kind: 'file' };
  let fd: number;
  let size: number;
  try {
    // Open first and ask the descriptor (one path lookup, not two). O_NONBLOCK: opening a FIFO
    // must not wait for a writer; fstat then tells it is not a regular file.
    fd = openSync(file.raw ? Buffer.from(file.raw, 'hex') : file.abs, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    const skip = !st.isFile() ? 'not a regular file' : options.maxFileSize !== undefined && st.size > options.maxFileSize ? 'larger than --max-file-size' : undefined;
    if (skip) {
      closeSync(fd);
      return { kind: 'skipped', bytes: st.isFile() ? st.size : 0, reason: skip };
    }
    size = st.size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { kind: 'skipped', bytes: 0, reason: 'vanished during the scan' };
    return { kind: 'unreadable', message: err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : err.message };
  }
  try {
    if (size <= WHOLE_FILE_LIMIT) {
      const buf = readBuffer(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      let bytes: Buffer = buf.subarray(0, got);
      if (looksBinary(bytes)) {
        const text = fromUtf16(bytes);
        if (!text) return { kind: 'binary', bytes: got };
        bytes = text;
      }
      return { kind: 'scanned', bytes: got, findings: scanBytes(compiled, bytes, origin) };
    }
    // Large file: stream it in chunks; the scanner keeps an overlap so nothing at a cut is lost.
    const findings: Finding[] = [];
    const stream = new StreamScanner(compiled, origin, (f) => findings.push(...f), { chunkSize: READ_CHUNK });
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, READ_CHUNK, pos);
      if (n === 0) break;
      if (pos === 0 && looksBinary(buf.subarray(0, n))) return { kind: 'binary', bytes: size };
      stream.push(buf.subarray(0, n));
      pos += n;
    }
    stream.end();
    return { kind: 'scanned', bytes: pos, findings };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { kind: 'unreadable', message: err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : err.message };
  } finally {
    closeSync(fd);
  }
}
