import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileRules, parseRuleFile, RuleFileError, scanText } from '@tokenward/engine';
import { importGitleaksToml, loadRuleDefinitions, translateGoRegex } from '@tokenward/project';
import { runCli, tempTree } from '../helpers/cli.js';

// Shaped like a team's .gitleaks.toml: custom rules with keywords, a secret group, entropy,
// old- and new-style allowlists, a global allowlist, and rules Tokenward cannot carry over.
const GITLEAKS = `
title = "team gitleaks config"

[extend]
useDefault = true

[[rules]]
id = "acme_api_key"
description = "Acme API key"
regex = '''(?i)acme[_-]?key\\s*[:=]\\s*['"]?(?P<key>[a-z0-9]{32})['"]?'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_key", "acme-key", "acmekey"]
tags = ["internal"]

  [[rules.allowlists]]
  description = "documented example key"
  regexes = ['''^0123456789abcdef0123456789abcdef$''']

  [[rules.allowlists]]
  stopwords = ["example"]

[[rules]]
id = "intk"
description = "Internal service key"
regex = '''\\bintk_[[:xdigit:]]{32}\\b'''
keywords = ["intk_"]

  [rules.allowlist]
  regexTarget = "line"
  regexes = ['''(?i)fake''']

[[rules]]
id = "pem-files"
description = "PEM files"
path = '''\\.pem$'''

[[rules]]
id = "no-keywords"
regex = '''zz[0-9]{30}'''

[allowlist]
description = "global"
paths = ['''(^|/)fixtures/''']
`;

const KEY = '7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e';
const INTK = 'intk_4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b';

describe('gitleaks regex translation', () => {
  it('moves inline flags to JavaScript flags and rewrites Go-only syntax', () => {
    expect(translateGoRegex('(?i)abc')).toEqual({ pattern: 'abc', flags: 'i' });
    expect(translateGoRegex('(?is)a.b')).toEqual({ pattern: 'a.b', flags: 'is' });
    expect(translateGoRegex('x(?i:abc)')).toEqual({ pattern: 'x(?:abc)', flags: 'i' });
    expect(translateGoRegex('(?P<tok>[[:alnum:]]{4})').pattern).toBe('(?<tok>[A-Za-z0-9]{4})');
    expect(new RegExp(translateGoRegex('ab\\z').pattern).test('abc')).toBe(false);
    expect(() => translateGoRegex('(?U)a+')).toThrow(/ungreedy/);
  });
});

describe('importGitleaksToml', () => {
  const { defs, warnings } = importGitleaksToml(GITLEAKS, 'team/.gitleaks.toml');

  it('imports rules with regex, keywords, secret group, entropy and tags; ids are prefixed', () => {
    expect(defs.map((d) => d.id)).toEqual(['gitleaks.acme-api-key', 'gitleaks.intk']);
    const acme = defs[0]!;
    expect(acme).toMatchObject({ title: 'Acme API key', flags: 'i', secretGroup: 1, keywords: ['acme_key', 'acme-key', 'acmekey'], validators: { entropy: 3 } });
    expect(acme.tags).toEqual(['gitleaks', 'internal']);
    expect(acme.source).toEqual({ file: 'team/.gitleaks.toml', line: 7 });
  });

  it('says which rules and settings it could not carry over', () => {
    const text = warnings.join('\n');
    expect(text).toContain('[extend] is ignored');
    expect(text).toMatch(/rule "pem-files": skipped: rules without a regex/);
    expect(text).toMatch(/team\/\.gitleaks\.toml:\d+: rule "no-keywords": skipped: Tokenward needs at least one keyword/);
  });

  it('finds what gitleaks would find, and honours rule, stopword, line and global allowlists', () => {
    const compiled = compileRules(defs);
    const found = (text: string, path = 'src/app.env') => scanText(compiled, text, { path }).map((f) => [f.ruleId, f.secret]);
    expect(found(`ACME_KEY = "${KEY}"`)).toEqual([['gitleaks.acme-api-key', KEY]]);
    expect(found(`acme-key: ${KEY.toUpperCase()}`)).toEqual([['gitleaks.acme-api-key', KEY.toUpperCase()]]);
    expect(found('acme_key=0123456789abcdef0123456789abcdef')).toEqual([]);
    expect(found('acme_key=example0123456789abcdef0123456')).toEqual([]);
    expect(found(`svc: ${INTK}`)).toEqual([['gitleaks.intk', INTK]]);
    expect(found(`svc: ${INTK} # FAKE for tests`)).toEqual([]);
    expect(found(`svc: ${INTK}`, 'test/fixtures/keys.txt')).toEqual([]);
  });

  it('reports invalid TOML and untranslatable regexes with file, line and rule', () => {
    expect(() => importGitleaksToml('[[rules]\nid = "x"', 'bad.toml')).toThrow(RuleFileError);
    expect(() => importGitleaksToml('[[rules]\nid = "x"', 'bad.toml')).toThrow(/^bad\.toml:1: invalid TOML/);
    const badRegex = '[[rules]]\nid = "broken"\nregex = \'\'\'(?U)a+(\'\'\'\nkeywords = ["aa"]\n';
    expect(() => importGitleaksToml(badRegex, 'g.toml')).toThrow(/^g\.toml:1: rule "broken" regex: the \(\?U\) ungreedy flag/);
    const unbalanced = '[[rules]]\nid = "broken"\nregex = \'\'\'a(b\'\'\'\nkeywords = ["aa"]\n';
    expect(() => importGitleaksToml(unbalanced, 'g.toml')).toThrow(/^g\.toml:1: rule "broken" pattern: Invalid regular expression/);
  });
});

describe('rule files take allow-lists too', () => {
  it('drops matches an allow entry covers (secret pattern, stopword, path, line)', () => {
    const defs = parseRuleFile(
      [
        'provider: Example',
        'rules:',
        '  - id: example-token',
        '    title: Example token',
        '    severity: high',
        '    keywords: [exm_]',
        "    pattern: '(exm_[a-z0-9]{20})'",
        '    allow:',
        "      - patterns: ['^exm_0{20}$']",
        '      - stopwords: [dummy]',
        "      - paths: ['\\.md$']",
        "      - { patterns: ['example only'], target: line }",
        '    examples:',
        '      positive: [exm_abcdefghij0123456789, "t = exm_zyxwvutsrq9876543210"]',
        '      negative: [exm_00000000000000000000, exm_dummyabcdefghij01234, "exm_abcdefghij0123456789 # example only"]',
      ].join('\n'),
      'rules/example.yaml',
    );
    const compiled = compileRules(defs);
    const n = (text: string, path = 'a.txt') => scanText(compiled, text, { path }).length;
    expect(n('exm_abcdefghij0123456789')).toBe(1);
    expect(n('exm_00000000000000000000')).toBe(0);
    expect(n('exm_dummyabcdefghij01234')).toBe(0);
    expect(n('exm_abcdefghij0123456789', 'README.md')).toBe(0);
    expect(n('exm_abcdefghij0123456789 # example only')).toBe(0);
  });
});

describe('loading a .gitleaks.toml as a rule path', () => {
  const tree = tempTree({ '.gitleaks.toml': GITLEAKS, 'src/config.env': `ACME_KEY=${KEY}\n`, 'fixtures/keys.env': `ACME_KEY=${KEY}\n` });
  afterAll(tree.cleanup);

  it('loadRuleDefinitions converts it and passes the warnings on', () => {
    const warnings: string[] = [];
    const defs = loadRuleDefinitions([join(tree.dir, '.gitleaks.toml')], (w) => warnings.push(w));
    expect(defs.map((d) => d.id)).toEqual(['gitleaks.acme-api-key', 'gitleaks.intk']);
    expect(warnings).toHaveLength(3);
  });

  it('tokenward scan --rules .gitleaks.toml finds the team secret, warns about skipped rules, skips allowlisted paths', async () => {
    const r = await runCli(['scan', '--rules', '.gitleaks.toml', '--format', 'json', '--no-config', '.'], { cwd: tree.dir });
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as Array<{ ruleId: string; path: string }>;
    expect(findings.map((f) => [f.ruleId, f.path])).toEqual([['gitleaks.acme-api-key', 'src/config.env']]);
    expect(r.stderr).toContain('rule "pem-files": skipped');
    expect(r.stdout).not.toContain(KEY);
  });
});
