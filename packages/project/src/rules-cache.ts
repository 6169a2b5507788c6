import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compileRule, parseRuleFile, ruleFileSchema, type RuleDefinition } from '@tokenward/engine';
import { superLinearBacktracking } from './pattern-safety.js';

/**
 * Parsed rule files cached as JSON, so short runs (pre-commit, editor start) skip YAML parsing and
 * schema validation, which cost far more than the scan of a few staged files. The key is the
 * content of every rule file plus the parser's own code and schema: edit a rule, or upgrade
 * Tokenward, and the cache misses. Only files that parsed cleanly are cached, so errors are
 * always reported from the real parser with their file and line; a custom file is cached only
 * after its patterns passed the backtracking check (pattern-safety.ts), so a hit skips it.
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

/** A rule file already read; `checked` ones must pass the backtracking check (custom rules). */
export interface RuleFileText {
  file: string;
  text: string;
  checked?: boolean;
}

/** Parses `files` (already read) through the cache; falls back to parsing when it cannot be used. */
export function parseRuleFilesCached(files: readonly RuleFileText[], env: NodeJS.ProcessEnv = process.env): RuleDefinition[] {
  const parseAll = () => files.flatMap(({ file, text, checked }) => parseRuleFile(text, file, checked ? { checkPattern: superLinearBacktracking } : {}));
  const dir = cacheDir(env);
  if (!dir) return parseAll();
  const hash = createHash('sha256').update(parser());
  for (const { file, text, checked } of files) hash.update(`\0${file}\0${checked ? 1 : 0}\0${text.length}\0`).update(text);
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
