import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';

// Issue 14: custom rules with catastrophic patterns were accepted (`(a+)+b`: 23 s on 50 bytes).
// Rule files outside the built-in folder are now checked when loaded, and refused with the file,
// the line of the pattern and why.
const rule = (pattern: string, extra = '') =>
  [
    'provider: Acme',
    'rules:',
    '  - id: acme-key',
    '    title: Acme key',
    '    severity: high',
    '    keywords: [acme_]',
    `    pattern: '${pattern}'`,
    extra,
    '    examples:',
    "      positive: ['acme_aaab', 'acme_ab']",
    "      negative: ['acme_']",
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');

describe('custom rule patterns are checked when loaded', () => {
  it('a nested quantifier is refused with file, line, rule, field and why', async () => {
    const dir = testTree({ 'rules/acme.yaml': rule('acme_(a+)+b'), 'in.txt': `acme_${'a'.repeat(20)}\n` });
    const r = await runCli(['scan', '--no-config', '--rules', 'rules/acme.yaml', 'in.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rules\/acme\.yaml:7: rule "acme-key" field "pattern" catastrophic backtracking: "\(a\+\)\+" repeats "a\+"/);
  });

  it('quantifiers that trade characters are refused too, with an equivalent pattern when one exists', async () => {
    const dir = testTree({ 'rules/acme.yaml': rule('acme_\\s*=\\s*\\s*(\\w{8,64})'), 'in.txt': 'x\n' });
    const r = await runCli(['scan', '--no-config', '--rules', 'rules', 'in.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rules/acme.yaml:7: rule "acme-key" field "pattern" super-linear backtracking');
    expect(r.stderr).toContain('the same matches without it: acme_\\s*=\\s*(\\w{8,64})');
  });

  it('a pair pattern is checked as well, at its own line', async () => {
    const pair = ["    pair:", '      name: id', "      pattern: 'acme_id=(\\w+\\w+)+!'"].join('\n');
    const dir = testTree({ 'rules/acme.yaml': rule('acme_[a-z]{2,8}', pair), 'in.txt': 'x\n' });
    const r = await runCli(['scan', '--no-config', '--rules', 'rules/acme.yaml', 'in.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/acme\.yaml:10: rule "acme-key" field "pair\.pattern" catastrophic backtracking/);
  });

  it('a .gitleaks.toml rule is refused with its line (gitleaks runs it on RE2; we run it on V8)', async () => {
    const toml = ['title = "team rules"', '', '[[rules]]', 'id = "nested"', "regex = '''acme_([a-z]+)*b'''", 'keywords = ["acme_"]', ''].join('\n');
    const dir = testTree({ 'team.toml': toml, 'in.txt': 'x\n' });
    const r = await runCli(['scan', '--no-config', '--rules', 'team.toml', 'in.txt'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/team\.toml:3: rule "nested" regex: catastrophic backtracking/);
  });

  it('bounded patterns load and scan as before', async () => {
    const dir = testTree({ 'rules/acme.yaml': rule('acme_[a-z]{2,8}[0-9]{0,4}b'), 'in.txt': 'k = acme_aaab\n' });
    const r = await runCli(['scan', '--no-config', '--rules', 'rules/acme.yaml', '-f', 'json', 'in.txt'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('acme-key');
  });
});
