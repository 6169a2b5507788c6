import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { ALL_RULES } from './catalogue.js';

interface Row {
  id: string;
  provider: string;
  keywords: string[];
  checksum: string | null;
  verify: boolean;
  revoke: string | null;
  docs: string | null;
  pair: string | null;
}

describe('tokenward rules', () => {
  const cleanups: Array<() => void> = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it('lists every rule as JSON with keywords, checksum, verify, revoke and docs', async () => {
    const r = await runCli(['rules', '--format', 'json', '--no-config']);
    expect(r.code).toBe(0);
    const rows: Row[] = JSON.parse(r.stdout).rules;
    expect(rows.map((x) => x.id).sort()).toEqual(ALL_RULES.map((d) => d.id).sort());
    const byId = new Map(rows.map((x) => [x.id, x]));
    expect(byId.get('github-pat-classic')).toMatchObject({ provider: 'GitHub', keywords: ['ghp_'], checksum: 'crc32-base62', verify: true, revoke: 'api' });
    expect(byId.get('wise-personal-api-token')).toMatchObject({ provider: 'Wise', checksum: null, revoke: 'manual', docs: 'https://docs.wise.com/guides/developer/auth-and-security/personal-api-token' });
    expect(byId.get('finout-api-token')).toMatchObject({ pair: 'clientId', revoke: 'manual' });
    expect(byId.get('aws-access-key')).toMatchObject({ pair: 'secretAccessKey' });
    for (const d of ALL_RULES) expect(byId.get(d.id)!.verify).toBe(d.verify !== undefined);
  });

  it('prints a table with a summary line, and filters by provider', async () => {
    const all = await runCli(['rules', '--no-config']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ID\s+PROVIDER\s+KEYWORDS\s+CHECKSUM\s+VERIFY\s+REVOKE\s+DOCS/);
    expect(all.stdout).toMatch(new RegExp(`${ALL_RULES.length} rules for \\d+ providers: \\d+ with an offline checksum`));
    const gitlab = await runCli(['rules', '--provider', 'gitlab', '--format', 'json', '--no-config']);
    const ids = (JSON.parse(gitlab.stdout).rules as Row[]).map((x) => x.id);
    expect(ids).toContain('gitlab-pat-routable');
    expect(ids.every((id) => id.startsWith('gitlab-'))).toBe(true);
  });

  it('exits 2 with a message for an unknown provider or format', async () => {
    const p = await runCli(['rules', '--provider', 'nope', '--no-config']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('no rules for provider "nope"');
    const f = await runCli(['rules', '--format', 'xml', '--no-config']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('--format must be text or json');
  });

  it('lists rules added through the configuration and imported from a .gitleaks.toml', async () => {
    const tree = tempTree({
      '.tokenward.yaml': 'rules:\n  - team-rules/\n',
      'team-rules/acme.yaml': [
        'provider: Acme',
        'rules:',
        '  - id: acme-token',
        '    title: Acme API token',
        '    severity: high',
        '    keywords: [acme_]',
        "    pattern: '(?<![A-Za-z0-9_])(acme_[a-z0-9]{24})(?![A-Za-z0-9_])'",
        '    examples:',
        '      positive: [acme_0123456789abcdefghijklmn, "token: acme_zyxwvutsrqponmlkjihgfedc"]',
        '      negative: [acme_short]',
        '    rotate: { steps: Acme > Settings > Tokens > Revoke, url: "https://acme.example/docs/tokens" }',
      ].join('\n'),
      '.gitleaks.toml': ['[[rules]]', 'id = "internal-key"', 'description = "Internal service key"', "regex = '''(?i)intk_[0-9a-f]{32}'''", 'keywords = ["intk_"]'].join('\n'),
    });
    cleanups.push(tree.cleanup);
    const r = await runCli(['rules', '--format', 'json', '--rules', '.gitleaks.toml'], { cwd: tree.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows: Row[] = JSON.parse(r.stdout).rules;
    expect(rows.find((x) => x.id === 'acme-token')).toMatchObject({ provider: 'Acme', docs: 'https://acme.example/docs/tokens', revoke: 'manual' });
    expect(rows.find((x) => x.id === 'gitleaks.internal-key')).toMatchObject({ provider: 'gitleaks import', keywords: ['intk_'] });
  });
});
