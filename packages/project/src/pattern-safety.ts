import { createRequire } from 'node:module';
import { RuleFileError, rulePatterns, type PatternCheck, type RuleDefinition } from '@tokenward/engine';
import type { Report } from 'scslre';

/**
 * Rule patterns run on a backtracking engine (V8's), over text anyone can put in a repository. A
 * pattern whose backtracking is super-linear (`(a+)+b` runs for minutes on 30 bytes) would let one
 * file hang every scan, so custom rule files (`--rules`, the configuration's `rules`, an imported
 * `.gitleaks.toml`) are held to the bar the built-in rules meet (test/rules/redos.test.ts): no
 * report from scslre's static analysis, which finds nested quantifiers (exponential), quantifiers
 * that trade characters (polynomial) and unbounded loops retried from every start. Bounded
 * quantifiers (`{0,64}`) cost at most their bound and are never reported. Not found: ambiguity
 * between alternatives of fixed length, as in `(a|aa)+` (scslre only pairs quantifiers).
 *
 * Refused rather than run under a linear-time engine: re2js matched 40× slower than V8 on the same
 * text, and RE2 has no look-arounds, which rule patterns use; the check costs a few milliseconds
 * per pattern once, and its result is cached with the parsed file.
 */

// scslre and its automaton library load on first use (~0.2 s): runs with built-in rules only never pay it.
const load = createRequire(import.meta.url);
let analyse: typeof import('scslre').analyse | undefined;

function describe(r: Report): string {
  const run = `a run of ${JSON.stringify(r.character.pick)}`;
  const how =
    r.type === 'Self'
      ? `"${r.parentQuant.raw}" repeats "${r.quant.raw}", which can split ${run} in ${r.exponential ? 'exponentially' : 'polynomially'} many ways`
      : r.type === 'Trade'
        ? `"${r.startQuant.raw}" and "${r.endQuant.raw}" can both take the characters of ${run}, and every split is tried`
        : `"${r.quant.raw}" reads ${run} again from each of its positions`;
  const fixed = r.fix();
  const hint = fixed ? `the same matches without it: ${fixed.source}` : 'bound the quantifier, e.g. {0,64}, or keep the parts from matching the same characters';
  return `${r.exponential ? 'catastrophic' : 'super-linear'} backtracking: ${how}, so scan time grows ${r.exponential ? 'exponentially' : 'faster than linearly'} with its length (${hint})`;
}

/** Why `pattern` must not run (its super-linear backtracking), or undefined. */
export const superLinearBacktracking: PatternCheck = (pattern, flags) => {
  analyse ??= (load('scslre') as typeof import('scslre')).analyse;
  let reports: Report[];
  try {
    reports = analyse({ source: pattern, flags }, { maxReports: 1, reportTypes: { Move: true, Self: true, Trade: true } }).reports;
  } catch {
    // V8 compiled it already; syntax the analyser does not know is not judged.
    return undefined;
  }
  return reports[0] ? describe(reports[0]) : undefined;
};

/**
 * Definitions made in code rather than read from a rule file (`createRedactor({ rules })`) meet
 * the same bar: a pattern with super-linear backtracking is refused with an error naming `where`,
 * the rule and the field. Definitions loaded from a file carry their `source` and were checked
 * when parsed (the built-in ones by the test suite), so they are not checked again.
 */
export function checkRulePatterns(defs: readonly RuleDefinition[], where: string): void {
  for (const def of defs) {
    if (def.source) continue;
    for (const { path, pattern, flags } of rulePatterns(def)) {
      const reason = superLinearBacktracking(pattern, flags.replace(/[gyd]/g, ''));
      if (reason) throw new RuleFileError(where, reason, undefined, def.id, path.join('.'));
    }
  }
}
