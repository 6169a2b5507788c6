import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '@tokenward/engine';
import { parseConfig, SettingsFileError, starterConfig } from '@tokenward/project';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken, randomBase62 } from '../helpers/tokens.js';

const tree = testTree;
type Report = { findings: Array<{ path: string; ruleId: string }>; suppressed?: Array<{ path: string; suppression: { kind: string; description: string } }> };
const scanJson = async (cwd: string, ...args: string[]) => {
  const r = await runCli(['scan', '-f', 'json', ...args], { cwd });
  return { ...r, report: (r.code === 2 ? undefined : JSON.parse(r.stdout)) as Report };
};

describe('configuration errors name the file, line and key', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', 'ignorePaths: [a]\nallowList:\n  - x\n', /\.tokenward\.yaml:2: key "allowList" is not a known field/],
    ['wrong type', 'ignorePaths: vendor/\n', /\.tokenward\.yaml:1: key "ignorePaths" must be array/],
    ['bad enum', '\nminConfidence: certain\n', /\.tokenward\.yaml:2: key "minConfidence" must be one of low, medium, high/],
    ['bad allow entry key', 'allow:\n  - value: abc\n  - patern: "^x"\n', /\.tokenward\.yaml:3: key "allow\[1\]\.patern" is not a known field/],
    ['empty allow entry', 'allow:\n  - reason: why\n', /\.tokenward\.yaml:2: key "allow\[0\]" needs one of value, pattern or fingerprint/],
    ['bad regex', 'allow:\n  - value: x\n  - pattern: "(unclosed"\n', /\.tokenward\.yaml:3: key "allow\[1\]\.pattern" is not a valid regular expression/],
    ['bad fingerprint', 'allow:\n  - fingerprint: 1234\n', /\.tokenward\.yaml:2: key "allow\[0\]\.fingerprint" must be string/],
    ['bad endpoint', 'revoke:\n  endpoints:\n    GitHub: ftp://example.com/x\n', /\.tokenward\.yaml:3: key "revoke\.endpoints\.GitHub" must match pattern/],
    ['invalid YAML', 'ignorePaths:\n  - a\n - b\n', /\.tokenward\.yaml:3: invalid YAML/],
    ['duplicate key', 'baseline: a.json\nbaseline: b.json\n', /\.tokenward\.yaml:2: invalid YAML: Map keys must be unique/],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => {
      expect(() => parseConfig(text, '.tokenward.yaml')).toThrow(SettingsFileError);
      expect(() => parseConfig(text, '.tokenward.yaml')).toThrow(expected);
    });
  }

  it('through the CLI: exit 2, one line on stderr; unknown rule ids and missing rule paths too', async () => {
    let dir = tree({ '.tokenward.yaml': '# settings\ndisabledRules:\n  - github-pat-classic\n  - github-pat-clasic\n', 'a.txt': 'x\n' });
    let r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tokenward: .*\.tokenward\.yaml:4: key "disabledRules\[1\]" unknown rule id "github-pat-clasic"\n$/);

    dir = tree({ '.tokenward.json': '{\n  "rules": ["./my-rules"]\n}\n', 'a.txt': 'x\n' });
    r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.tokenward\.json:2: key "rules\[0\]" rule path not found: \.\/my-rules/);

    dir = tree({ '.tokenward.json': '{\n  "minSeverity": "urgent"\n}\n', 'a.txt': 'x\n' });
    r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.stderr).toMatch(/\.tokenward\.json:2: key "minSeverity" must be one of/);

    dir = tree({ '.tokenward.yaml': 'a: 1\n', '.tokenward.json': '{}', 'a.txt': 'x\n' });
    r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/two configuration files .*\.tokenward\.yaml and \.tokenward\.json/);

    r = await runCli(['scan', '--config', 'nope.yaml', '.'], { cwd: dir });
    expect(r.stderr).toMatch(/--config: file not found: nope\.yaml/);
  });
});

describe('configuration discovery and keys', () => {
  it('is found from the scan root upwards, or given with --config; --no-config ignores it', async () => {
    const t = githubToken();
    const dir = tree({ '.tokenward.yaml': 'disabledRules: [github-pat-classic]\n', 'pkg/sub/a.txt': `${t}\n`, 'elsewhere/strict.yaml': '{}\n' });
    // From a sub-folder (scan root pkg/sub, config two levels up).
    expect((await runCli(['scan', '-q', 'pkg/sub'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['scan', '-q', '.'], { cwd: join(dir, 'pkg') })).code).toBe(0);
    expect((await runCli(['scan', '-q', '--config', 'elsewhere/strict.yaml', 'pkg/sub'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['scan', '-q', '--no-config', 'pkg/sub'], { cwd: dir })).code).toBe(1);
  });

  it('allow: by value, regex pattern (optionally per rule) and fingerprint, each with its reason', async () => {
    const byValue = githubToken();
    const byPattern = `ghp_${'0'.repeat(2)}${githubToken().slice(6)}`;
    const byFingerprint = githubToken();
    const other = githubToken('gho_');
    const dir = tree({
      '.tokenward.yaml': [
        'allow:',
        `  - ${byValue}`,
        `  - pattern: '^ghp_00'`,
        '    rules: [github-pat-classic]',
        '    reason: zero-prefixed test tokens',
        `  - fingerprint: ${fingerprint('github-pat-classic', byFingerprint)}`,
        `  - pattern: '.*'`,
        '    rules: [gitlab-pat-legacy]',
        '',
      ].join('\n'),
      'a.txt': `${byValue}\n${byPattern}\n${byFingerprint}\n${other}\n`,
      'rules/extra.yaml': '',
    });
    // The pattern example must be a real finding for the test to mean anything.
    const plain = await scanJson(dir, '--no-config', 'a.txt');
    const expectedAll = plain.report.findings.length;
    expect(expectedAll).toBeGreaterThanOrEqual(3);
    const r = await scanJson(dir, '--show-suppressed', 'a.txt');
    expect(r.report.findings.map((f) => f.ruleId)).toEqual(['github-oauth-token']);
    const reasons = r.report.suppressed!.map((s) => s.suppression.description);
    expect(reasons).toContain('config .tokenward.yaml allow[0] by value');
    expect(reasons).toContain('config .tokenward.yaml allow[2] by fingerprint');
    if (expectedAll === 4) expect(reasons).toContain('config .tokenward.yaml allow[1] by pattern (zero-prefixed test tokens)');
  });

  it('disabledRules, minConfidence and minSeverity remove rules', async () => {
    const dir = tree({ 'a.txt': `${githubToken()}\n${githubToken('gho_')}\n` });
    writeFileSync(join(dir, '.tokenward.yaml'), 'disabledRules: [github-oauth-token]\n');
    expect((await scanJson(dir, '.')).report.findings.map((f) => f.ruleId)).toEqual(['github-pat-classic']);
    writeFileSync(join(dir, '.tokenward.yaml'), 'minSeverity: critical\nminConfidence: high\n');
    const r = await scanJson(dir, '.');
    expect(r.report.findings.length).toBeGreaterThan(0);
    writeFileSync(join(dir, '.tokenward.yaml'), 'disabledRules: [github-oauth-token, github-pat-classic]\n');
    expect((await scanJson(dir, '.')).report.findings).toEqual([]);
  });

  it('minConfidence in the config drops medium-confidence rules; --min-confidence overrides it', async () => {
    // A fine-grained PAT has no checksum (medium); a classic PAT has one (high).
    const fineGrained = `github_pat_${randomBase62(22)}_${randomBase62(59)}`;
    const dir = tree({ '.tokenward.yaml': 'minConfidence: high\n', 'a.txt': `${githubToken()}\n${fineGrained}\n` });
    expect((await scanJson(dir, '.')).report.findings.map((f) => f.ruleId)).toEqual(['github-pat-classic']);
    expect((await scanJson(dir, '--min-confidence', 'medium', '.')).report.findings.map((f) => f.ruleId).sort()).toEqual(['github-fine-grained-pat', 'github-pat-classic']);
  });

  it('ignorePaths (config) and .tokenwardignore (gitignore syntax, with negation) skip paths', async () => {
    const dir = tree({
      '.tokenward.yaml': 'ignorePaths:\n  - "test/**/fixtures/**"\n  - "*.snap"\n',
      '.tokenwardignore': '# docs hold examples\ndocs/\n!docs/keep.md\n',
      'test/unit/fixtures/x.txt': `${githubToken()}\n`,
      'src/__snapshots__/a.snap': `${githubToken()}\n`,
      'docs/guide.md': `${githubToken()}\n`,
      'docs/keep.md': `${githubToken()}\n`,
      'src/app.ts': `${githubToken()}\n`,
    });
    const r = await scanJson(dir, '.');
    // docs/ ignores the folder, so (as in git) a file inside cannot be re-included.
    expect(r.report.findings.map((f) => f.path).sort()).toEqual(['src/app.ts']);
    const shown = await scanJson(dir, '--show-suppressed', '.');
    const why = Object.fromEntries(shown.report.suppressed!.map((s) => [s.path, s.suppression.description]));
    expect(why['test/unit/fixtures/x.txt']).toBe('path ignore "test/**/fixtures/**" in .tokenward.yaml ignorePaths[0]');
    expect(why['src/__snapshots__/a.snap']).toBe('path ignore "*.snap" in .tokenward.yaml ignorePaths[1]');
    expect(why['docs/guide.md']).toBe('path ignore "docs/" in .tokenwardignore:2');
  });

  it('.tokenwardignore works without a configuration file, and negation re-includes files', async () => {
    const dir = tree({ '.tokenwardignore': '*.txt\n!important.txt\n', 'a.txt': `${githubToken()}\n`, 'important.txt': `${githubToken()}\n` });
    const r = await scanJson(dir, '.');
    expect(r.report.findings.map((f) => f.path)).toEqual(['important.txt']);
  });

  it('rules adds rule files; maxFileSize sets the default size limit', async () => {
    const dir = tree({
      '.tokenward.yaml': 'rules: [team-rules]\nmaxFileSize: 1KB\n',
      'team-rules/acme.yaml': [
        'provider: Acme',
        'rules:',
        '  - id: acme-key',
        '    title: Acme key',
        '    severity: high',
        '    keywords: [acme_]',
        "    pattern: 'acme_[a-z0-9]{16}'",
        '    examples:',
        '      positive: [acme_0123456789abcdef, "k=acme_abcdefabcdefabcd"]',
        '      negative: [acme_short]',
        '',
      ].join('\n'),
      'a.txt': 'key acme_0123456789abcdef\n',
      'big.txt': `${'x'.repeat(2048)}\n${githubToken()}\n`,
    });
    const r = await scanJson(dir, '.');
    // (The rule file's own examples are found too: they are acme keys.)
    expect(r.report.findings.filter((f) => f.path === 'a.txt').map((f) => f.ruleId)).toEqual(['acme-key']);
    expect(r.report.findings.map((f) => f.path)).not.toContain('big.txt');
    const withoutLimit = await scanJson(dir, '--max-file-size', '1MB', '.');
    expect(withoutLimit.report.findings.map((f) => f.path)).toContain('big.txt');
  });
});

describe('tokenward init', () => {
  it('writes a commented starter config that loads as valid, and refuses to overwrite', async () => {
    const dir = tree({});
    let r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, '.tokenward.yaml'), 'utf8');
    expect(text).toBe(starterConfig());
    expect(text.split('\n').filter((l) => l.startsWith('#')).length).toBeGreaterThan(20);
    // Every documented key appears in the starter.
    for (const key of ['rules', 'disabledRules', 'minConfidence', 'minSeverity', 'ignorePaths', 'allow', 'baseline', 'inlineIgnores', 'maxFileSize', 'revoke', 'endpoints', 'auto']) {
      expect(text, key).toMatch(new RegExp(`^#? *${key}:`, 'm'));
    }
    expect(() => parseConfig(text, '.tokenward.yaml')).not.toThrow();
    // Uncommenting the examples gives a valid file too.
    const uncommented = text.replace(/^# (?=[a-z][A-Za-z]*:|  )/gm, '');
    expect(uncommented).toMatch(/^ {2}endpoints:/m);
    expect(() => parseConfig(uncommented, '.tokenward.yaml')).not.toThrow();
    // Its rule ids are real ones (an unknown id is an error when rules are loaded).
    const ids = new Set((JSON.parse((await runCli(['rules', '--format', 'json'])).stdout) as { rules: Array<{ id: string }> }).rules.map((x) => x.id));
    const disabled = parseConfig(uncommented, '.tokenward.yaml').data.disabledRules ?? [];
    expect(disabled.length).toBeGreaterThan(0);
    for (const id of disabled) expect(ids.has(id), id).toBe(true);
    r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists \(use --force/);
    expect((await runCli(['init', '--force'], { cwd: dir })).code).toBe(0);
    mkdirSync(join(dir, 'sub'));
    expect((await runCli(['init', 'sub'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['scan', '-q', '.'], { cwd: dir })).code).toBe(0);
  });
});
