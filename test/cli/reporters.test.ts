/**
 * Each report format on its own: a Report built from real engine findings (the rules in rules/,
 * fresh tokens) goes through the reporter, and the output is checked against what the format's
 * readers need. No process, no files: what the scan tests cannot pin down one format at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scanText, type Finding } from '@tokenward/engine';
import { loadRules } from '@tokenward/project';
import { REPORTERS, type Report, type ReportOptions } from '@tokenward/cli';
import { githubToken } from '../helpers/tokens.js';

const PLAIN: ReportOptions = { showSecrets: false, color: false };
const GENERIC = 'api_key = "qZrwLmQXvTnKpWdHsBjFyGcR"\n';

let rules: ReturnType<typeof loadRules>;
beforeAll(() => {
  rules = loadRules();
});

interface Fixture {
  report: Report;
  tokens: string[];
  findings: Finding[];
}

/** Two files with a GitHub token each, one with a generic (low-confidence) key, one history
 * finding, one suppressed finding and one unreadable file. */
function fixture(): Fixture {
  const tokens = [githubToken(), githubToken(), githubToken(), githubToken()];
  const scan = (path: string, text: string) => scanText(rules.compiled, text, { path, kind: 'file' });
  const a = scan('src/a b.ts', `// config\nexport const token = "${tokens[0]}";\n`);
  const b = scan('deploy/app.yaml', `env:\n  - value: ${tokens[1]}\n${GENERIC}`);
  const [old] = scan('old.js', `x = "${tokens[2]}"\n`);
  const historic: Finding = {
    ...old!,
    origin: { path: 'old.js', kind: 'git-blob', commit: 'c0ffee'.padEnd(40, '0'), author: 'Ada Test <ada@example.com>', date: '2024-01-02T03:04:05Z' },
    occurrences: 2,
    presentAtHead: false,
  };
  const [hidden] = scan('test/fixture.txt', `${tokens[3]}\n`);
  const findings = [...a, ...b, historic];
  expect(findings.map((f) => f.ruleId)).toEqual(['github-pat-classic', 'github-pat-classic', expect.any(String), 'github-pat-classic']);
  expect(findings[2]!.confidence).toBe('low');
  const report: Report = {
    findings,
    stats: { files: 4, bytes: 1234, binary: 1, skipped: 0, unreadable: 1, findings: findings.length, durationMs: 12.6 },
    problems: [{ path: 'locked.env', message: 'EACCES: permission denied' }],
    skippedFiles: [],
    rules: rules.defs,
    toolVersion: '9.9.9',
    root: '/work/project',
    suppressed: [{ finding: hidden!, reason: { kind: 'baseline', file: '.tokenward-baseline.json', fingerprint: hidden!.fingerprint, note: 'test data' } }],
  };
  return { report, tokens, findings };
}

const finish = (format: string, report: Report, o: ReportOptions = PLAIN, streamed = false) => REPORTERS[format]!.finish(report, o, streamed);

describe('reporters never print a secret unless asked', () => {
  for (const format of Object.keys(REPORTERS)) {
    it(format, () => {
      const { report, tokens } = fixture();
      const out = finish(format, report, { ...PLAIN, showSuppressed: true });
      for (const t of tokens) expect(out).not.toContain(t);
      if (format !== 'gitlab') expect(out).toContain(`ghp_****…${tokens[0]!.slice(-4)}`);
      const shown = finish(format, report, { ...PLAIN, showSecrets: true });
      expect(shown).toContain(tokens[0]!);
    });
  }
});

describe('text', () => {
  it('groups findings by file, marks generic ones, shows history details, warns about unreadable files and sums up', () => {
    const { report, findings } = fixture();
    const out = finish('text', report);
    const lines = out.split('\n');
    expect(lines[0]).toBe('src/a b.ts');
    expect(lines[1]).toMatch(/^ {2}2:23 {6}critical {2}GitHub personal access token \(classic\) {2}ghp_\*\*\*\*…/);
    expect(lines[1]).toContain(`github-pat-classic  fingerprint ${findings[0]!.fingerprint}`);
    expect(out).toMatch(/^deploy\/app\.yaml$/m);
    expect(out).toMatch(/\(generic\)/);
    expect(out).toMatch(/commit c0ffee000000 by Ada Test <ada@example\.com> on 2024-01-02 · introduced in 2 commits · not in HEAD/);
    expect(out).toContain('warning: cannot read locked.env: EACCES: permission denied');
    expect(lines.at(-2)).toBe('✖ 4 secrets found in 3 files (scanned 4 files, 1.2 KB in 0.01 s; 1 binary skipped, 1 unreadable, 1 suppressed (--show-suppressed lists them))');
    expect(out).not.toContain('\u001b[');
  });

  it('lists suppressed findings with their reason only with --show-suppressed, and colours only when asked', () => {
    const { report } = fixture();
    const out = finish('text', report, { ...PLAIN, showSuppressed: true, color: true });
    expect(out).toContain('suppressed by baseline .tokenward-baseline.json (note: test data)');
    expect(out).toContain('\u001b[31m');
    expect(finish('text', { ...report, findings: [], suppressed: [] })).toMatch(/^✔ no secrets found \(scanned 4 files/m);
  });

  it('streams: the path header once, then one line per finding', () => {
    const { findings } = fixture();
    const first = REPORTERS.text!.finding!(findings[0]!, PLAIN, true);
    const next = REPORTERS.text!.finding!(findings[0]!, PLAIN, false);
    expect(first.split('\n')[0]).toBe('src/a b.ts');
    expect(next.startsWith('  2:23')).toBe(true);
  });
});

describe('json and jsonl', () => {
  it('json: findings with positions, stats rounded, errors, skipped and the suppressed count', () => {
    const { report, findings } = fixture();
    const doc = JSON.parse(finish('json', report)) as Record<string, unknown> & { findings: Array<Record<string, unknown>>; stats: { durationMs: number } };
    expect(Object.keys(doc)).toEqual(['findings', 'stats', 'errors', 'skipped', 'suppressedCount']);
    expect(doc.findings[0]).toEqual({
      ruleId: 'github-pat-classic',
      provider: 'GitHub',
      title: findings[0]!.title,
      severity: 'critical',
      confidence: 'high',
      path: 'src/a b.ts',
      source: 'file',
      line: 2,
      column: 23,
      endLine: 2,
      endColumn: 63,
      redacted: findings[0]!.redacted,
      fingerprint: findings[0]!.fingerprint,
    });
    expect(doc.findings[3]).toMatchObject({ commit: findings[3]!.origin.commit, author: 'Ada Test <ada@example.com>', occurrences: 2, presentAtHead: false });
    expect(doc.stats.durationMs).toBe(13);
    expect(doc.errors).toEqual(report.problems);
    expect(doc.suppressedCount).toBe(1);
    const listed = JSON.parse(finish('json', report, { ...PLAIN, showSuppressed: true })) as { suppressed: Array<{ suppression: { kind: string; description: string } }> };
    expect(listed.suppressed[0]!.suppression).toMatchObject({ kind: 'baseline', description: 'baseline .tokenward-baseline.json (note: test data)' });
  });

  it('--redact=PERCENT applies to json values', () => {
    const { report, tokens } = fixture();
    const doc = JSON.parse(finish('json', report, { ...PLAIN, redactPercent: 50 })) as { findings: Array<{ redacted: string }> };
    expect(doc.findings[0]!.redacted).toBe(`${tokens[0]!.slice(0, 20)}…`);
  });

  it('jsonl: one object per line, streamed or at the end; suppressed lines say so', () => {
    const { report, findings } = fixture();
    const lines = finish('jsonl', report, { ...PLAIN, showSuppressed: true })
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { fingerprint: string; suppressed?: { kind: string } });
    expect(lines.map((l) => l.fingerprint)).toEqual([...findings, report.suppressed![0]!.finding].map((f) => f.fingerprint));
    expect(lines.at(-1)!.suppressed).toMatchObject({ kind: 'baseline' });
    expect(finish('jsonl', report, PLAIN, true)).toBe('');
    expect(JSON.parse(REPORTERS.jsonl!.finding!(findings[0]!, PLAIN))).toMatchObject({ path: 'src/a b.ts', line: 2 });
  });
});

describe('sarif', () => {
  it('is SARIF 2.1.0 with one rule per loaded rule, results pointing at them, stable fingerprints and tool notifications', () => {
    const { report, findings } = fixture();
    const sarif = JSON.parse(finish('sarif', report, { ...PLAIN, showSuppressed: true }));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    const run = sarif.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'Tokenward', version: '9.9.9', semanticVersion: '9.9.9' });
    expect(run.tool.driver.rules).toHaveLength(rules.defs.length);
    const result = run.results[0];
    expect(run.tool.driver.rules[result.ruleIndex].id).toBe('github-pat-classic');
    expect(result).toMatchObject({
      ruleId: 'github-pat-classic',
      level: 'error',
      partialFingerprints: { 'tokenward/v2': findings[0]!.fingerprint },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/a%20b.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: 23, endLine: 2, endColumn: 63 } } }],
    });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toBe('file:///work/project/');
    expect(run.results[3].properties).toMatchObject({ commit: findings[3]!.origin.commit, occurrences: 2, presentAtHead: false });
    expect(run.results.at(-1).suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'baseline .tokenward-baseline.json (note: test data)' }]);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([
      { level: 'warning', message: { text: 'cannot read: EACCES: permission denied' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'locked.env', uriBaseId: '%SRCROOT%' } } }] },
    ]);
    const generic = run.results[2];
    expect(generic.level).toBe(LEVEL_OF[findings[2]!.severity]);
  });
});

const LEVEL_OF = { critical: 'error', high: 'error', medium: 'warning', low: 'note' } as const;

describe('github', () => {
  it('writes workflow annotations with escaped properties, and suppressed findings as notices', () => {
    const { report, findings } = fixture();
    const lines = finish('github', { ...report, findings: [{ ...findings[0]!, origin: { path: 'a,b:c%.ts', kind: 'file' } }] }, { ...PLAIN, showSuppressed: true })
      .trimEnd()
      .split('\n');
    expect(lines[0]).toMatch(/^::error file=a%2Cb%3Ac%25\.ts,line=2,col=23,endLine=2,endColumn=63,title=Tokenward%3A GitHub personal access token \(classic\)::GitHub secret ghp_\*\*\*\*…/);
    expect(lines[1]).toMatch(/^::notice file=test\/fixture\.txt,line=1,col=1,title=Tokenward \(suppressed\)%3A .*suppressed by baseline/);
    expect(lines).toHaveLength(2);
  });
});

describe('gitlab', () => {
  it('writes a secret detection report (schema 15.x) with stable ids and the scan window', () => {
    const { report, findings } = fixture();
    const doc = JSON.parse(finish('gitlab', report));
    const again = JSON.parse(finish('gitlab', report));
    expect(doc.version).toMatch(/^15\./);
    expect(doc.vulnerabilities).toHaveLength(findings.length);
    expect(doc.vulnerabilities.map((v: { id: string }) => v.id)).toEqual(again.vulnerabilities.map((v: { id: string }) => v.id));
    expect(doc.vulnerabilities[0]).toMatchObject({
      category: 'secret_detection',
      severity: 'Critical',
      confidence: 'High',
      location: { file: 'src/a b.ts', start_line: 2, end_line: 2, commit: { sha: '0000000' } },
      identifiers: [
        { type: 'tokenward_rule_id', value: 'github-pat-classic' },
        { type: 'tokenward_fingerprint', value: findings[0]!.fingerprint },
      ],
    });
    expect(doc.vulnerabilities[3].location.commit).toEqual({ sha: findings[3]!.origin.commit, author: 'Ada Test <ada@example.com>', date: '2024-01-02T03:04:05Z' });
    expect(doc.scan).toMatchObject({ type: 'secret_detection', status: 'success', scanner: { id: 'tokenward', version: '9.9.9' } });
    expect(doc.scan.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(doc.scan.messages).toEqual([{ level: 'warn', value: 'cannot read locked.env: EACCES: permission denied' }]);
    // Suppressed findings are not vulnerabilities.
    expect(JSON.stringify(finish('gitlab', report, { ...PLAIN, showSuppressed: true }))).not.toContain(report.suppressed![0]!.finding.fingerprint);
  });
});
