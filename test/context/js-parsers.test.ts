import { describe, expect, it } from 'vitest';
import { compileRules, scanText } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';

// Plain JavaScript is read by espree + eslint-scope, TypeScript (and JavaScript espree cannot
// read) by @typescript-eslint/parser: whichever parser reads a file, the verdict is the same.
const compiled = compileRules(loadRuleDefinitions());
const scan = (text: string, path: string) => scanText(compiled, text, { path }).map((f) => [f.ruleId, f.secret]);

// Each case is decided by the syntax tree: with a syntax error appended (no parser reads it) the
// lexical verdict differs, so a parser that silently failed would fail the test.
const REFERENCE = "const msg = 'Lq9Zx3Vm7Rt2Wn5Kb8Pd';\nconst h = { Authorization: `Bearer ${msg}` };\n";
const IN_A_STRING = "const usage = 'password = Rq7xVm2Lk9Tz4Wp';\n";
const ON_THE_HASHBANG = "#!/bin/sh password = 'Rq7xVm2Lk9Tz4Wp'\n";
const EXTENSIONS = ['js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx'];
const BROKEN = '\nfunction (\n';

describe('JS/TS syntax tree: the same verdict from either parser', () => {
  it('an identifier in an Authorization value is followed to its literal', () => {
    for (const ext of EXTENSIONS) expect(scan(REFERENCE, `src/a.${ext}`), ext).toEqual([['generic-js-secret-reference', 'Lq9Zx3Vm7Rt2Wn5Kb8Pd']]);
    expect(scan(REFERENCE + BROKEN, 'src/a.js')).toEqual([]);
  });

  it('an assignment written inside a string is not one', () => {
    for (const ext of EXTENSIONS) expect(scan(IN_A_STRING, `src/a.${ext}`), ext).toEqual([]);
    expect(scan(IN_A_STRING + BROKEN, 'src/a.js')).toEqual([['generic-secret-assignment', 'Rq7xVm2Lk9Tz4Wp']]);
  });

  it('a #! line is neither a literal nor a comment, as TypeScript reads it', () => {
    for (const ext of EXTENSIONS) expect(scan(`${ON_THE_HASHBANG}${IN_A_STRING}`, `bin/a.${ext}`), ext).toEqual([]);
    expect(scan(ON_THE_HASHBANG + BROKEN, 'bin/a.js')).toEqual([['generic-secret-assignment', 'Rq7xVm2Lk9Tz4Wp']]);
  });

  it('JSX in a .js or .jsx file: an attribute is a secret-named sink, text in another attribute is not', () => {
    const code = `${REFERENCE}export const App = () => <Widget apiKey="Zq8m2Lx9Tz4pVw" label="password = 'Rq7xVm2Lk9Tz4Wp'" />;\n`;
    const expected = [
      ['generic-js-secret-reference', 'Lq9Zx3Vm7Rt2Wn5Kb8Pd'],
      ['generic-secret-assignment', 'Zq8m2Lx9Tz4pVw'],
    ];
    for (const ext of ['js', 'jsx', 'tsx']) expect(scan(code, `src/app.${ext}`), ext).toEqual(expected);
  });

  it('a .js file with Flow type annotations is read by the TypeScript parser', () => {
    const code = `// @flow\ntype Options = { retries: number };\n${REFERENCE}function call(u: string, o: Options): Promise<Response> {\n  return fetch(u, { headers: h });\n}\n${IN_A_STRING}`;
    expect(scan(code, 'src/flow.js')).toEqual([['generic-js-secret-reference', 'Lq9Zx3Vm7Rt2Wn5Kb8Pd']]);
  });

  it('TypeScript syntax in a .ts file (types, casts, enums) keeps the syntax-tree verdict', () => {
    const code = `enum Mode { A }\ninterface Cfg { token?: string }\nconst msg = 'Lq9Zx3Vm7Rt2Wn5Kb8Pd' as const;\nconst h: Record<string, string> = { Authorization: \`Bearer \${msg}\` };\n${IN_A_STRING}`;
    expect(scan(code, 'src/a.ts')).toEqual([['generic-js-secret-reference', 'Lq9Zx3Vm7Rt2Wn5Kb8Pd']]);
  });
});
