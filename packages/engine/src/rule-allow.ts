/**
 * Rule-level allow-lists: matches a rule itself knows to be harmless (documented placeholders,
 * test fixtures), written in the rule file next to the pattern. Same idea as gitleaks'
 * `[[rules.allowlists]]`, which the gitleaks importer maps onto this.
 */
import type { Buffer } from 'node:buffer';
import type { RuleAllow, RuleDefinition } from './types.js';

interface CompiledAllow {
  readonly patterns: readonly RegExp[];
  readonly target: 'secret' | 'match' | 'line';
  readonly stopwords: readonly string[];
  readonly paths: readonly RegExp[];
  readonly all: boolean;
}

export class AllowCompileError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'AllowCompileError';
  }
}

const cache = new WeakMap<readonly RuleAllow[], readonly CompiledAllow[]>();

function regex(source: string, field: string, flags = ''): RegExp {
  try {
    return new RegExp(source, flags.replace(/[gyd]/g, ''));
  } catch (e) {
    throw new AllowCompileError(field, (e as Error).message);
  }
}

/** Compiles (once per definition) a rule's `allow` list; throws `AllowCompileError` naming the field. */
export function compileRuleAllow(allow: readonly RuleAllow[]): readonly CompiledAllow[] {
  let compiled = cache.get(allow);
  if (!compiled) {
    compiled = allow.map((a, i) => ({
      patterns: (a.patterns ?? []).map((p, j) => regex(p, `allow.${i}.patterns.${j}`, a.flags)),
      target: a.target ?? 'secret',
      stopwords: (a.stopwords ?? []).map((w) => w.toLowerCase()),
      paths: (a.paths ?? []).map((p, j) => regex(p, `allow.${i}.paths.${j}`)),
      all: a.condition === 'and',
    }));
    cache.set(allow, compiled);
  }
  return compiled;
}

/** Bytes of the line read on each side of a match for `target: line`. */
const LINE_LOOK = 8192;

/** What an allow entry may look at for one match. */
export interface AllowSubject {
  secret: string;
  /** Full match text (secret plus its context). */
  match: () => string;
  /** The line(s) holding the match (at most 8 KB on each side of it). */
  line: () => string;
  path: string;
}

function entryAllows(a: CompiledAllow, s: AllowSubject): boolean {
  const checks: boolean[] = [];
  if (a.patterns.length > 0) {
    const text = a.target === 'secret' ? s.secret : a.target === 'match' ? s.match() : s.line();
    checks.push(a.patterns.some((r) => r.test(text)));
  }
  if (a.stopwords.length > 0) {
    const lower = s.secret.toLowerCase();
    checks.push(a.stopwords.some((w) => lower.includes(w)));
  }
  if (a.paths.length > 0) checks.push(a.paths.some((r) => r.test(s.path)));
  if (checks.length === 0) return false;
  return a.all ? checks.every(Boolean) : checks.some(Boolean);
}

/** True when one of the rule's allow entries covers this match. */
export function ruleAllows(def: RuleDefinition, subject: AllowSubject): boolean {
  if (!def.allow || def.allow.length === 0) return false;
  return compileRuleAllow(def.allow).some((a) => entryAllows(a, subject));
}

/** Drops raw matches covered by their rule's allow list (rules without one cost a property check). */
export function filterAllowed<T extends { rule: { def: RuleDefinition }; matchStart: number; start: number; end: number; secret: string }>(
  buf: Buffer,
  matches: T[],
  path: string,
  matchEnd: (m: T) => number,
): T[] {
  if (!matches.some((m) => m.rule.def.allow)) return matches;
  return matches.filter((m) => {
    if (!m.rule.def.allow) return true;
    const subject: AllowSubject = {
      secret: m.secret,
      match: () => buf.toString('utf8', m.matchStart, matchEnd(m)),
      line: () => {
        // Bounded like inline directives: a minified line may hold thousands of matches.
        let from = m.start;
        const minFrom = Math.max(0, m.start - LINE_LOOK);
        while (from > minFrom && buf[from - 1] !== 10) from--;
        let to = m.end;
        const maxTo = Math.min(buf.length, m.end + LINE_LOOK);
        while (to < maxTo && buf[to] !== 10) to++;
        return buf.toString('utf8', from, to);
      },
      path,
    };
    return !ruleAllows(m.rule.def, subject);
  });
}
