/** The rule files of `rules/`, parsed one file at a time (so a failure names its file). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleFile, type RuleDefinition } from '@tokenward/engine';
import { defaultRulesDir } from '@tokenward/project';

export const RULES_DIR = defaultRulesDir();

export const RULE_FILES = readdirSync(RULES_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((name) => {
    const file = join(RULES_DIR, name);
    return { name, file, defs: parseRuleFile(readFileSync(file, 'utf8'), file) };
  });

export const ALL_RULES: RuleDefinition[] = RULE_FILES.flatMap((f) => f.defs);

/** Provider rules (this catalogue) as opposed to context-only generic rules. */
export const isProviderRule = (d: RuleDefinition): boolean => !(d.tags ?? []).includes('generic') && !d.source?.file.includes('/generic');
