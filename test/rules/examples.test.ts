import { describe, expect, it } from 'vitest';
import { compileRules, scanKeyStore, scanText, type RuleDefinition, type RuleExample } from '@tokenward/engine';
import { ALL_RULES, isProviderRule, RULE_FILES } from './catalogue.js';

// Context rules may look at the file type (e.g. a JS/TS syntax tree), so an example counts as
// found when the rule reports it in a plain text file or in a TypeScript file.
const PATHS = ['example.txt', 'example.ts'];

// A detector rule's examples are whole files (base64): what the sources hand the key-store scan.
function secretsFound(compiled: ReturnType<typeof compileRules>, def: RuleDefinition, ex: RuleExample, paths = PATHS): Set<string>[] {
  const scan = (path: string) => (ex.encoding === 'base64' ? scanKeyStore(compiled, Buffer.from(ex.text, 'base64'), { path }) : scanText(compiled, ex.text, { path }));
  return paths.map((path) => new Set(scan(path).filter((f) => f.ruleId === def.id).map((f) => f.secret)));
}

const everything = compileRules(ALL_RULES);

describe('rule examples are tests', () => {
  for (const { name, defs } of RULE_FILES) {
    describe(name, () => {
      for (const def of defs) {
        describe(def.id, () => {
          const alone = compileRules([def]);
          it('has at least two positive and one negative example', () => {
            expect(def.examples.positive.length).toBeGreaterThanOrEqual(2);
            expect(def.examples.negative.length).toBeGreaterThanOrEqual(1);
          });
          def.examples.positive.forEach((ex, i) => {
            it(`finds positive #${i + 1} with exactly its secret`, () => {
              const expected = ex.secret ?? ex.text;
              const found = secretsFound(alone, def, ex);
              expect(found.some((s) => s.size === 1 && s.has(expected)), `found ${JSON.stringify(found.map((s) => [...s]))}`).toBe(true);
            });
          });
          def.examples.negative.forEach((ex, i) => {
            it(`ignores negative #${i + 1}`, () => {
              expect(secretsFound(alone, def, ex, ['example.txt']).flatMap((s) => [...s])).toEqual([]);
            });
          });
          if (isProviderRule(def)) {
            it('still wins its positives when every rule runs', () => {
              for (const ex of def.examples.positive) {
                const expected = ex.secret ?? ex.text;
                const found = secretsFound(everything, def, ex);
                expect(found.some((s) => s.has(expected)), `${def.id}: ${JSON.stringify(ex.text.slice(0, 80))}`).toBe(true);
              }
            });
          }
        });
      }
    });
  }
});

describe('a rule without examples', () => {
  it('is rejected when its file is parsed', async () => {
    const { parseRuleFile, RuleFileError } = await import('@tokenward/engine');
    const text = [
      'provider: Example',
      'rules:',
      '  - id: example-token',
      '    title: Example token',
      '    severity: high',
      '    keywords: [exm_]',
      "    pattern: 'exm_[a-z0-9]{20}'",
      '    examples:',
      '      positive: [exm_aaaaaaaaaaaaaaaaaaaa]',
      '      negative: []',
    ].join('\n');
    expect(() => parseRuleFile(text, 'rules/example.yaml')).toThrow(RuleFileError);
    expect(() => parseRuleFile(text, 'rules/example.yaml')).toThrow(/rules\/example\.yaml:\d+: rule "example-token" field "examples\.(positive|negative)"/);
  });
});
