import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRules, type CompiledRules, type RuleDefinition } from '@tokenward/engine';
import { parseRuleFilesCached } from './rules-cache.js';
import { UsageError } from './errors.js';
import { importGitleaksToml } from './gitleaks-import.js';

/** The built-in rules: the copy packed into this package (`rules/` next to `dist/`, put there by
 * `npm pack`'s prepack), else the repository's `rules/` folder, their single source of truth. */
export function defaultRulesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const packed = resolve(here, '../rules');
  return existsSync(packed) ? packed : resolve(here, '../../../rules');
}

const RULE_FILE = /\.(ya?ml|json)$/i;
const GITLEAKS_FILE = /\.toml$/i;

/** Rule files of a folder (sorted for stable rule order), or the file itself. */
export function ruleFilesIn(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`rule path not found: ${path}`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => RULE_FILE.test(f) && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => join(path, f));
}

/** Reads and validates rule files; the first bad file stops loading with file:line, rule, field.
 * A `.toml` path is a gitleaks configuration: its `[[rules]]` are imported (see gitleaks-import.ts),
 * and what cannot be carried over is reported through `warn`. Patterns of every file outside the
 * built-in folder must pass the backtracking check (pattern-safety.ts); the built-in ones are
 * checked by the test suite instead of at every start. */
export function loadRuleDefinitions(
  paths: readonly string[] = [defaultRulesDir()],
  warn: (message: string) => void = (m) => process.stderr.write(`tokenward: warning: ${m}\n`),
): RuleDefinition[] {
  const builtIn = resolve(defaultRulesDir()) + sep;
  const files = paths.flatMap((p) => ruleFilesIn(p)).map((file) => ({ file, checked: !resolve(file).startsWith(builtIn) }));
  const defs: RuleDefinition[] = [];
  let batch: typeof files = [];
  // Parsed definitions are cached (rules-cache.ts): YAML + schema validation dominate short runs.
  const flush = () => {
    if (batch.length) defs.push(...parseRuleFilesCached(batch));
    batch = [];
  };
  for (const f of files) {
    if (!GITLEAKS_FILE.test(f.file)) {
      batch.push(f);
      continue;
    }
    flush();
    const imported = importGitleaksToml(readFileSync(f.file, 'utf8'), f.file);
    imported.warnings.forEach((w) => warn(w));
    defs.push(...imported.defs);
  }
  flush();
  return defs;
}

export function loadRules(extra: readonly string[] = [], warn?: (message: string) => void): { defs: RuleDefinition[]; compiled: CompiledRules } {
  const defs = loadRuleDefinitions([defaultRulesDir(), ...extra], warn);
  return { defs, compiled: compileRules(defs) };
}
