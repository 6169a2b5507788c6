/**
 * Imports the `[[rules]]` of an existing gitleaks configuration (`.gitleaks.toml`) as Tokenward
 * rule definitions, so a team switching scanners keeps its custom rules: id, regex, keywords,
 * secretGroup, entropy and allowlists carry over. Gitleaks regexes are Go RE2; the few syntax
 * differences that matter (`(?i)`, `(?P<name>`, POSIX classes, `\z`) are translated, and anything
 * that still does not compile in JavaScript is reported with the file and rule id.
 */
import { compileRule, RuleCompileError, RuleFileError, type RuleAllow, type RuleDefinition } from '@tokenward/engine';
import { createRequire } from 'node:module';
import { superLinearBacktracking } from './pattern-safety.js';

// smol-toml loads on first use (its one-file CommonJS build): only a gitleaks import needs it, and
// its ES build is a dozen module files on the start-up path of every run.
const load = createRequire(import.meta.url);
let tomlModule: typeof import('smol-toml') | undefined;
const toml = (): typeof import('smol-toml') => (tomlModule ??= load('smol-toml') as typeof import('smol-toml'));

/** A gitleaks file that cannot be imported; a RuleFileError, so every command reports it the same way. */
export class GitleaksImportError extends RuleFileError {
  constructor(file: string, detail: string, ruleId?: string, line?: number) {
    super(file, detail, line, ruleId);
    this.name = 'GitleaksImportError';
  }
}

export interface GitleaksImport {
  defs: RuleDefinition[];
  /** Rules or settings that could not be carried over, with the reason (never silently lost). */
  warnings: string[];
}

interface GitleaksAllowlist {
  description?: string;
  regexes?: string[];
  regexTarget?: string;
  stopwords?: string[];
  paths?: string[];
  commits?: string[];
  condition?: string;
  targetRules?: string[];
}

interface GitleaksRule {
  id?: string;
  description?: string;
  regex?: string;
  secretGroup?: number;
  entropy?: number;
  keywords?: string[];
  path?: string;
  tags?: string[];
  allowlist?: GitleaksAllowlist;
  allowlists?: GitleaksAllowlist[];
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: ' \\t',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\s',
  upper: 'A-Z',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
};

/** Go RE2 → JavaScript regex source and flags. Throws a message naming what cannot be translated. */
export function translateGoRegex(source: string): { pattern: string; flags: string } {
  const flags = new Set<string>();
  let pattern = source;
  // Flag groups: JavaScript (Node 20) has no inline modifiers, so flags apply to the whole pattern.
  pattern = pattern.replace(/\(\?([imsU]+)\)/g, (_, f: string) => {
    for (const c of f) {
      if (c === 'U') throw new Error('the (?U) ungreedy flag has no JavaScript equivalent');
      flags.add(c);
    }
    return '';
  });
  pattern = pattern.replace(/\(\?([ims]+):/g, (_, f: string) => {
    for (const c of f) flags.add(c);
    return '(?:';
  });
  if (/\(\?-?[imsU]*-[imsU]*[:)]/.test(pattern)) throw new Error('clearing flags inside the pattern ((?-i) …) has no JavaScript equivalent');
  pattern = pattern
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
      const body = POSIX_CLASSES[name];
      if (!body) throw new Error(`unknown POSIX class [:${name}:]`);
      if (neg) throw new Error(`negated POSIX class [:^${name}:] is not supported`);
      return body;
    })
    .replace(/\\z/g, '(?![\\s\\S])')
    .replace(/\\A/g, '(?<![\\s\\S])');
  return { pattern, flags: [...flags].sort().join('') };
}

function allowFrom(a: GitleaksAllowlist, where: string, warnings: string[]): RuleAllow | undefined {
  const target = (a.regexTarget ?? 'secret').toLowerCase();
  if (target !== 'secret' && target !== 'match' && target !== 'line') {
    warnings.push(`${where}: allowlist regexTarget "${a.regexTarget}" is not supported; treated as "secret"`);
  }
  if (a.commits?.length) warnings.push(`${where}: allowlist commits are not supported by rule allow-lists; use a baseline instead`);
  const allow: RuleAllow = {};
  const translated = (a.regexes ?? []).map((r) => translateGoRegex(r));
  // One flag set per entry: gitleaks allow regexes are usually all (?i) or none.
  if (translated.length) allow.patterns = translated.map((t) => t.pattern);
  if (translated.some((t) => t.flags.includes('i'))) allow.flags = 'i';
  if (target === 'match' || target === 'line') allow.target = target;
  if (a.stopwords?.length) allow.stopwords = a.stopwords;
  if (a.paths?.length) allow.paths = a.paths.map((p) => translateGoRegex(p).pattern);
  if ((a.condition ?? 'OR').toUpperCase() === 'AND') allow.condition = 'and';
  return allow.patterns || allow.stopwords || allow.paths ? allow : undefined;
}

const allowPatterns = (allow: readonly RuleAllow[]) => allow.flatMap((a) => (a.patterns ?? []).map((pattern) => ({ field: 'allowlist', pattern, flags: a.flags })));

/** gitleaks runs its patterns on RE2, which never backtracks; here they run on V8's engine, so a
 * pattern with super-linear backtracking is refused (pattern-safety.ts). */
function backtrackingProblem(patterns: ReadonlyArray<{ field: string; pattern: string; flags?: string }>): string | undefined {
  for (const p of patterns) {
    const reason = superLinearBacktracking(p.pattern, p.flags ?? '');
    if (reason) return `${p.field}: ${reason}`;
  }
  return undefined;
}

function lineOfRule(text: string, index: number): number | undefined {
  let seen = -1;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*\[\[\s*rules\s*\]\]/.test(lines[i]!)) {
      seen++;
      if (seen === index) return i + 1;
    }
  }
  return undefined;
}

/** Converts a gitleaks TOML configuration to rule definitions (ids prefixed `gitleaks.`). */
export function importGitleaksToml(text: string, file: string): GitleaksImport {
  let data: Record<string, unknown>;
  try {
    data = toml().parse(text);
  } catch (e) {
    const line = e instanceof toml().TomlError ? e.line : undefined;
    throw new GitleaksImportError(file, `invalid TOML: ${(e as Error).message.split('\n')[0]}`, undefined, line);
  }
  const warnings: string[] = [];
  if (data.extend) warnings.push(`${file}: [extend] is ignored: Tokenward's built-in rules are always loaded`);
  const rules = data.rules;
  if (rules !== undefined && !Array.isArray(rules)) throw new GitleaksImportError(file, '"rules" must be an array of tables ([[rules]])');
  const globalAllow = [
    ...(data.allowlist ? [data.allowlist as GitleaksAllowlist] : []),
    ...((data.allowlists as GitleaksAllowlist[] | undefined) ?? []),
  ];
  const defs: RuleDefinition[] = [];
  ((rules ?? []) as GitleaksRule[]).forEach((r, index) => {
    const line = lineOfRule(text, index);
    const at = line ? `${file}:${line}` : file;
    if (typeof r.id !== 'string' || r.id === '') throw new GitleaksImportError(file, 'every [[rules]] needs an id', undefined, line);
    const where = `${at}: rule "${r.id}"`;
    if (typeof r.regex !== 'string' || r.regex === '') {
      warnings.push(`${where}: skipped: rules without a regex (path-only rules) are not supported`);
      return;
    }
    const keywords = (r.keywords ?? []).filter((k) => typeof k === 'string' && k.length >= 2);
    if (keywords.length === 0) {
      warnings.push(`${where}: skipped: Tokenward needs at least one keyword (2+ characters) to prefilter a rule; add "keywords"`);
      return;
    }
    if (r.path) warnings.push(`${where}: its path restriction is ignored (the rule runs on every file)`);
    let translated;
    try {
      translated = translateGoRegex(r.regex);
    } catch (e) {
      throw new GitleaksImportError(file, `regex: ${(e as Error).message}`, r.id, line);
    }
    const allow: RuleAllow[] = [];
    const ruleAllows = [...(r.allowlist ? [r.allowlist] : []), ...(r.allowlists ?? [])];
    for (const a of [...ruleAllows, ...globalAllow.filter((g) => !g.targetRules || g.targetRules.includes(r.id!))]) {
      try {
        const converted = allowFrom(a, where, warnings);
        if (converted) allow.push(converted);
      } catch (e) {
        throw new GitleaksImportError(file, `allowlist: ${(e as Error).message}`, r.id, line);
      }
    }
    const def: RuleDefinition = {
      id: `gitleaks.${r.id.toLowerCase().replace(/[^a-z0-9.-]+/g, '-')}`,
      provider: 'gitleaks import',
      title: r.description || r.id,
      description: `Imported from ${file} (gitleaks rule "${r.id}").`,
      severity: 'high',
      keywords,
      pattern: translated.pattern,
      ...(translated.flags ? { flags: translated.flags } : {}),
      ...(r.secretGroup ? { secretGroup: r.secretGroup } : {}),
      ...(r.entropy ? { validators: { entropy: r.entropy } } : {}),
      ...(allow.length ? { allow } : {}),
      examples: { positive: [], negative: [] },
      tags: ['gitleaks', ...(r.tags ?? [])],
      source: { file, ...(line ? { line } : {}) },
    };
    try {
      compileRule(def, defs.length);
    } catch (e) {
      const detail = e instanceof RuleCompileError ? e.message.replace(/^.*field "([^"]+)": /, '$1: ') : (e as Error).message;
      throw new GitleaksImportError(file, detail, r.id, line);
    }
    const unsafe = backtrackingProblem([{ field: 'regex', pattern: def.pattern, flags: def.flags }, ...allowPatterns(allow)]);
    if (unsafe) throw new GitleaksImportError(file, unsafe, r.id, line);
    defs.push(def);
  });
  return { defs, warnings };
}

/**
 * The global `[allowlist]` / `[[allowlists]]` of a gitleaks configuration (without `targetRules`),
 * as rule allow entries for every rule, plus its `commits` (decided by the suppressor).
 */
export function gitleaksGlobalAllow(text: string, file: string): { allow: RuleAllow[]; commits: string[]; warnings: string[] } {
  let data: Record<string, unknown>;
  try {
    data = toml().parse(text);
  } catch (e) {
    const line = e instanceof toml().TomlError ? e.line : undefined;
    throw new GitleaksImportError(file, `invalid TOML: ${(e as Error).message.split('\n')[0]}`, undefined, line);
  }
  const lists = [...(data.allowlist ? [data.allowlist as GitleaksAllowlist] : []), ...((data.allowlists as GitleaksAllowlist[] | undefined) ?? [])].filter((a) => !a.targetRules?.length);
  const warnings: string[] = [];
  const allow: RuleAllow[] = [];
  const commits: string[] = [];
  for (const a of lists) {
    commits.push(...(a.commits ?? []).filter((c) => typeof c === 'string' && c.length >= 4).map((c) => c.toLowerCase()));
    try {
      const converted = allowFrom({ ...a, commits: undefined }, `${file} [allowlist]`, warnings);
      if (converted) allow.push(converted);
    } catch (e) {
      throw new GitleaksImportError(file, `allowlist: ${(e as Error).message}`);
    }
  }
  const unsafe = backtrackingProblem(allowPatterns(allow));
  if (unsafe) throw new GitleaksImportError(file, unsafe);
  return { allow, commits, warnings };
}
