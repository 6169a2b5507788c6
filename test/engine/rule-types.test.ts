/**
 * The engine's rule types are the type of what the rule file schema validates (json-schema-to-ts's
 * FromSchema over `ruleSchema`), so the two cannot drift: a key added to the schema is a key of
 * `RuleDefinition`, a required key is required, an enum is the same union. Checked by compiling a
 * small module against the built declarations with the TypeScript compiler.
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/** Type errors of `source` compiled as a module in test/engine/ (against the built packages). */
function typeErrors(source: string): string[] {
  const file = join(REPO_ROOT, 'test/engine/__rule-types__.ts');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023, types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, source, lang) : read(name, lang, ...rest));
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file && dirname(d.file.fileName) !== dirname(file) ? `${d.file.fileName}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const PRELUDE = `
import type { FromSchema } from 'json-schema-to-ts';
import type { AccessFactSpec, Confidence, HttpStep, RuleDefinition, ruleSchema, Severity } from '@tokenward/engine';
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Written = FromSchema<typeof ruleSchema>;
`;

describe('rule types derived from the rule file schema', () => {
  it('RuleDefinition is the schema\'s rule (file-level provider applied, examples normalized, source added)', () => {
    const errors = typeErrors(`${PRELUDE}
export const rule: Same<Omit<RuleDefinition, 'provider' | 'examples' | 'source' | 'keywords' | 'pattern'>, Omit<Written, 'provider' | 'examples' | 'keywords' | 'pattern'>> = true;
export const provider: Same<RuleDefinition['provider'], string> = true;
// A detector rule has neither keywords nor a pattern: loading fills them empty.
export const keywords: Same<RuleDefinition['keywords'], NonNullable<Written['keywords']>> = true;
export const pattern: Same<RuleDefinition['pattern'], NonNullable<Written['pattern']>> = true;
// Examples are normalized to objects: a text example as written, or base64 content with encoding set.
type WrittenExample = Exclude<Written['examples']['positive'][number], string>;
export const textExample: Same<Omit<RuleDefinition['examples']['positive'][number], 'encoding'>, Exclude<WrittenExample, { base64: string }>> = true;
export const encodings: Same<NonNullable<RuleDefinition['examples']['positive'][number]['encoding']>, 'base64'> = true;
export const severity: Same<Severity, Written['severity']> = true;
export const confidence: Same<Confidence, NonNullable<Written['confidence']>> = true;
export const step: Same<HttpStep, NonNullable<Written['revoke']>['steps'][number]> = true;
// The schema's oneOf: a fact says where it is read from, exactly one way.
export const fact: Same<AccessFactSpec, NonNullable<Written['verify']>['access'] extends (infer P)[] | undefined ? P extends { facts: Record<string, infer F> } ? F : never : never> = true;
// @ts-expect-error a fact with no json, header, value or list is not one
export const noSource: AccessFactSpec = { label: 'account' };
// @ts-expect-error a key the schema does not know is not a rule key
export const unknownKey: RuleDefinition = { id: 'x', provider: 'X', title: 'X', severity: 'low', keywords: ['xx'], pattern: 'x', examples: { positive: [], negative: [] }, bogus: 1 };
`);
    expect(errors).toEqual([]);
  });

  it('the check can fail: a type that differs from the schema is reported', () => {
    const errors = typeErrors(`${PRELUDE}
export const wrong: Same<RuleDefinition['severity'], 'high' | 'low'> = true;
`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Type 'true' is not assignable to type 'false'/);
  });
});
