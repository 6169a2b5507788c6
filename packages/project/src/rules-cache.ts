import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compileRule, parseRuleFile, ruleFileSchema, type RuleDefinition } from '@tokenward/engine';
import { superLinearBacktracking } from './pattern-safety.js';

/**
 * Parsed rule files cached as JSON, so short runs (pre-commit, editor start) skip YAML parsing and
 * schema validation, which cost far more than the scan of a few staged files. The key is every
 * rule file plus the parser's own code and schema: edit a rule, or upgrade Tokenward, and the
 * cache misses. A rule file on disk is known by its path, size, inode and modification time (a
 * stat, not a read: the built-in set is 140 files), as git's index and ESLint's cache know files;
 * one modified in the last few seconds is known by its content too, because two writes within
 * the file system's clock tick can leave the same time (git's "racily clean" case). Only files
 * that parsed cleanly are cached, so errors are always reported from the real parser with their
 * file and line; a custom file is cached only after its patterns passed the backtracking check
 * (pattern-safety.ts), so a hit skips it.
 */

const FORMAT = 2;
/** Entries kept: one per rule set in use (built-ins plus each project's extra rules). */
const MAX_ENTRIES = 16;
let parserIdentity: string | undefined;

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.TOKENWARD_NO_CACHE) return undefined;
  if (env.TOKENWARD_CACHE_DIR) return env.TOKENWARD_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tokenward');
}

/** Changes whenever the code that turns rule text into definitions changes. */
function parser(): string {
  parserIdentity ??= createHash('sha256')
    .update(`${FORMAT}\0${parseRuleFile.toString()}\0${compileRule.toString()}\0${superLinearBacktracking.toString()}\0${JSON.stringify(ruleFileSchema)}`)
    .digest('hex');
  return parserIdentity;
}

/** A rule file: read from `file` when no `text` is given; `checked` ones must pass the
 * backtracking check (custom rules). */
export interface RuleFileText {
  file: string;
  text?: string;
  checked?: boolean;
}

/** Modified more recently than this, a file is keyed by its content as well as its stat. */
const RACY_MS = 3000;

/** Parses `files` through the cache; falls back to parsing when it cannot be used. */
export function parseRuleFilesCached(files: readonly RuleFileText[], env: NodeJS.ProcessEnv = process.env): RuleDefinition[] {
  const texts = new Map<RuleFileText, string>();
  const textOf = (f: RuleFileText): string => f.text ?? texts.get(f) ?? texts.set(f, readFileSync(f.file, 'utf8')).get(f)!;
  const parseAll = () => files.flatMap((f) => parseRuleFile(textOf(f), f.file, f.checked ? { checkPattern: superLinearBacktracking } : {}));
  const dir = cacheDir(env);
  if (!dir) return parseAll();
  const hash = createHash('sha256').update(parser());
  const now = Date.now();
  for (const f of files) {
    hash.update(`\0${f.file}\0${f.checked ? 1 : 0}\0`);
    if (f.text === undefined) {
      const st = statSync(f.file);
      hash.update(`${st.size}\0${st.ino}\0${st.mtimeMs}\0`);
      if (now - st.mtimeMs >= RACY_MS) continue;
    }
    const text = textOf(f);
    hash.update(`${text.length}\0`).update(text);
  }
  const path = join(dir, `rules-${hash.digest('hex').slice(0, 32)}.json`);
  try {
    const defs = JSON.parse(readFileSync(path, 'utf8')) as RuleDefinition[];
    // Pruning drops the oldest times first: a hit renews its entry, so the rule set in daily use
    // survives many others written since (other projects' rules, test runs on the same machine).
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // A read-only cache still serves hits.
    }
    return defs;
  } catch {
    // Missing or unreadable cache entry: parse for real below.
  }
  const defs = parseAll();
  try {
    mkdirSync(dir, { recursive: true });
    // Write then rename, so a concurrent run never reads half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(defs));
    renameSync(tmp, path);
    prune(dir);
  } catch {
    // A read-only home or full disk only costs speed.
  }
  return defs;
}

/** Drops the least recently used entries beyond MAX_ENTRIES (old rule versions). */
function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => /^rules-[0-9a-f]+\.json$/.test(f))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of entries.slice(MAX_ENTRIES)) rmSync(join(dir, f), { force: true });
}
