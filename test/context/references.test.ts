import { describe, expect, it } from 'vitest';
import { compileRules, scanText } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';

const compiled = compileRules(loadRuleDefinitions());
const scan = (text: string, path: string) => scanText(compiled, text, { path }).map((f) => [f.ruleId, f.secret]);

describe('JS/TS references are not secrets', () => {
  it('an unquoted value assigned to a secret-named property is a variable (any file size)', () => {
    const line = '  submitNewPassword: RESET_PASSWORD_V2_SUBMIT,\n';
    // Over the syntax-tree size limit too: a bundle keeps the lexical verdict, which must hold.
    const bundle = `${'// generated\n'.repeat(25_000)}module.exports = {\n${line}};\n`;
    expect(scan(bundle, 'dist/bundle.js')).toEqual([]);
    expect(scan(`x = {\n${line}}\n`, 'a.ts')).toEqual([]);
    // In a config file unquoted text is a value: reported when it reads as generated, not as words.
    expect(scan('submitNewPassword: RESET_PASSWORD_V2_SUBMIT_9x\n', 'app.yaml')).toEqual([]);
    expect(scan('submitNewPassword: Rq7xVm2Lk9Tz4Wp\n', 'app.yaml')).toHaveLength(1);
  });

  it('a header set to a variable is a reference; a header set to a literal is a finding', () => {
    expect(scan("req.setHeaders({ 'Authorization': type1msg });\n", 'ntlm.js')).toEqual([]);
    expect(scan("fetch(u, { headers: { 'Authorization': 'Bearer Lq9Zx3Vm7Rt2Wn5Kb8Pd' } });\n", 'a.js')).toEqual([['generic-authorization-header', 'Lq9Zx3Vm7Rt2Wn5Kb8Pd']]);
  });

  it('an Authorization reference whose binding is not a secret-looking literal is not followed', () => {
    const code = "const msg = `NTLM ${buf.toString('base64')}`;\nconst h = { Authorization: `Bearer ${msg}` };\n";
    expect(scan(code, 'a.js')).toEqual([]);
    const real = "const msg = 'Lq9Zx3Vm7Rt2Wn5Kb8Pd';\nconst h = { Authorization: `Bearer ${msg}` };\n";
    expect(scan(real, 'a.js')).toEqual([['generic-js-secret-reference', 'Lq9Zx3Vm7Rt2Wn5Kb8Pd']]);
  });
});

describe('made-up example values', () => {
  it('a short value with an ascending run (key_1234, abcd) is a documentation example', () => {
    expect(scan('Must be in valid uri format like dotenv://:key_1234@dotenvx.com/vault\n', 'a.txt')).toEqual([]);
    expect(scan('https://svc:Zq8m2Lx9Tz4p@proxy.corp/\n', 'a.txt')).toEqual([['generic-url-password', 'Zq8m2Lx9Tz4p']]);
  });
});
