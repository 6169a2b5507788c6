import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/** Where Tokenward keeps its state; it carries a `.gitignore` of `*` so `git status` stays clean. */
export const STATE_DIR = '.tokenward';
const REPORTS_FILE = 'reports.json';
/** A path ending in, or going through, a folder named STATE_DIR. */
const STATE_NAME = `${sep}${STATE_DIR}`;
const STATE_FOLDER = `${STATE_NAME}${sep}`;

/** Marks `.tokenward/` (when it exists, or `create`) as ignored by git, from inside. */
export function markStateDir(cwd: string, create = false): string {
  const dir = join(cwd, STATE_DIR);
  if (create) mkdirSync(dir, { recursive: true });
  if (existsSync(dir) && !existsSync(join(dir, '.gitignore'))) {
    try {
      writeFileSync(join(dir, '.gitignore'), '# Tokenward state (audit log, caches, report list): never committed.\n*\n');
    } catch {
      // A read-only folder only costs a line in git status.
    }
  }
  return dir;
}

/** Report files earlier runs wrote with -o (absolute paths): never scanned as sources. */
export function writtenReports(cwd: string): Set<string> {
  try {
    const list = JSON.parse(readFileSync(join(cwd, STATE_DIR, REPORTS_FILE), 'utf8')) as unknown;
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').map((p) => resolve(cwd, p)) : []);
  } catch {
    return new Set();
  }
}

/** Adds a report file to the list `writtenReports` reads. */
export function rememberReport(cwd: string, file: string): void {
  const known = writtenReports(cwd);
  if (known.has(file)) return;
  try {
    const dir = markStateDir(cwd, true);
    writeFileSync(
      join(dir, REPORTS_FILE),
      `${JSON.stringify(
        [...known, file].map((p) => relative(cwd, p) || p),
        null,
        2,
      )}\n`,
    );
  } catch {
    // Only costs the report being scanned next time.
  }
}

/** True for Tokenward's own files under `cwd`: `.tokenward/` state and reports it wrote. */
export function isOwnState(abs: string, cwd: string, reports: ReadonlySet<string>): boolean {
  if (reports.has(abs)) return true;
  // `abs` is absolute: any folder named STATE_DIR below `cwd`, found without splitting the path.
  return abs.startsWith(cwd) && (abs.includes(STATE_FOLDER) || abs.endsWith(STATE_NAME));
}
