import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type ignore from 'ignore';
import { UsageError } from './errors.js';

// Loaded on first use: most projects have no path ignores, and importing this CommonJS package
// from an ES module costs ~30 ms of start-up (Node first scans it for named exports).
const load = createRequire(import.meta.url);
let ignoreModule: typeof ignore | undefined;

export const IGNORE_FILE_NAME = '.tokenwardignore';

/** Which rule ignores a path: the pattern as written and where it was written. */
export interface PathIgnoreMatch {
  pattern: string;
  /** `.tokenwardignore:3` or `.tokenward.yaml ignorePaths[0]`. */
  source: string;
  /** The file holding the pattern. */
  file: string;
}

type Ignore = ignore.Ignore;

interface PatternSet {
  /** Patterns are relative to this folder (gitignore semantics). */
  base: string;
  matcher: Ignore;
  file: string;
}

/**
 * Path ignores from any number of sources (config `ignorePaths`, `.tokenwardignore`), each in
 * gitignore syntax relative to its own folder. A path outside a source's folder is not affected by
 * it. Built on the `ignore` package, which implements git's matching rules.
 */
export class PathIgnore {
  private readonly sets: PatternSet[] = [];

  /** Adds patterns; `label(i)` names pattern i for explanations. */
  add(patterns: readonly string[], base: string, file: string, label: (i: number) => string): this {
    if (patterns.length === 0) return this;
    const matcher = (ignoreModule ??= load('ignore') as typeof ignore)({ allowRelativePaths: false });
    patterns.forEach((pattern, i) => matcher.add({ pattern, mark: label(i) }));
    this.sets.push({ base: resolve(base), matcher, file });
    return this;
  }

  /** Reads a gitignore-syntax file; blank lines and `#` comments are skipped as git does. */
  addFile(file: string): this {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const lines = text.split(/\r?\n/);
    const patterns: string[] = [];
    const lineNos: number[] = [];
    lines.forEach((l, i) => {
      if (l.trim() === '' || l.startsWith('#')) return;
      patterns.push(l);
      lineNos.push(i + 1);
    });
    const shown = file.split(sep).pop() ?? file;
    return this.add(patterns, dirname(file), file, (i) => `${shown}:${lineNos[i]}`);
  }

  get empty(): boolean {
    return this.sets.length === 0;
  }

  /** The rule ignoring `absPath`, if any. */
  match(absPath: string): PathIgnoreMatch | undefined {
    for (const set of this.sets) {
      const rel = relative(set.base, absPath);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
      const posix = sep === '/' ? rel : rel.split(sep).join('/');
      const r = set.matcher.test(posix);
      if (r.ignored && r.rule) return { pattern: r.rule.pattern, source: r.rule.mark ?? set.file, file: set.file };
    }
    return undefined;
  }
}

/** The first `.tokenwardignore` in `startDir` or a folder above it. */
export function findIgnoreFile(startDir: string): string | undefined {
  return findUpwards(startDir, IGNORE_FILE_NAME);
}

/** The first `name` in `startDir` or a folder above it, up to the repository root (a folder
 * holding `.git`): a file outside the repository belongs to another project. */
export function findUpwards(startDir: string, name: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) return undefined;
    dir = parent;
  }
}

/** The work tree root above `startDir` (the folder holding `.git`), if any. */
export function repositoryRoot(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
