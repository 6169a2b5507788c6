import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const tree = testTree;
const json = (stdout: string) => JSON.parse(stdout) as { findings: Array<{ path: string; line: number; fingerprint: string }>; suppressedCount: number; suppressed?: Array<{ suppression: { kind: string; note?: string } }> };

describe('tokenward baseline', () => {
  it('writes fingerprints, rule ids, paths and notes, never the secret', async () => {
    const a = githubToken();
    const b = githubToken('gho_');
    const dir = tree({ 'src/a.ts': `const a = "${a}";\n`, 'config/b.env': `B=${b}\n`, 'src/ok.ts': `const x = "${githubToken()}"; // tokenward:allow\n` });
    const r = await runCli(['baseline', '-o', 'baseline.json', '--note', 'accepted in review #12', '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote 2 entries to baseline\.json/);
    const text = readFileSync(join(dir, 'baseline.json'), 'utf8');
    expect(text).not.toContain(a);
    expect(text).not.toContain(b);
    // Not even the redacted tail or body: nothing the secret can be read from.
    expect(text).not.toContain(a.slice(-4));
    expect(text).not.toContain(a.slice(4, 12));
    const doc = JSON.parse(text);
    expect(doc.version).toBe(1);
    expect(doc.entries).toEqual([
      { fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/), ruleId: 'github-oauth-token', path: 'config/b.env', note: 'accepted in review #12' },
      { fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/), ruleId: 'github-pat-classic', path: 'src/a.ts', note: 'accepted in review #12' },
    ].sort((x, y) => (x.path < y.path ? -1 : 1)));
  });

  it('hides a baselined secret whose line moved, reports a different secret on the same line', async () => {
    const accepted = githubToken();
    const dir = tree({ 'app.py': `import os\nTOKEN = "${accepted}"\n` });
    expect((await runCli(['baseline', '--output', '.tokenward-baseline.json'], { cwd: dir })).code).toBe(0);

    // Baselined: clean.
    let r = await runCli(['scan', '--baseline', '.tokenward-baseline.json', '-f', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(json(r.stdout).suppressedCount).toBe(1);

    // The line moves (and the file grows): still hidden, because the key is rule + secret.
    writeFileSync(join(dir, 'app.py'), `"""docs"""\n\n\nimport os\nimport sys\n\n\nclass C:\n    TOKEN = "${accepted}"\n`);
    r = await runCli(['scan', '--baseline', '.tokenward-baseline.json', '-f', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(json(r.stdout).findings).toEqual([]);

    // The same secret copied to another file is the same accepted secret.
    writeFileSync(join(dir, 'copy.py'), `T = "${accepted}"\n`);
    r = await runCli(['scan', '--baseline', '.tokenward-baseline.json', '-q', '.'], { cwd: dir });
    expect(r.code).toBe(0);

    // A different secret replaces it on the very same line: reported (gitleaks' positional ignores miss this).
    const replacement = githubToken();
    writeFileSync(join(dir, 'app.py'), `"""docs"""\n\n\nimport os\nimport sys\n\n\nclass C:\n    TOKEN = "${replacement}"\n`);
    r = await runCli(['scan', '--baseline', '.tokenward-baseline.json', '-f', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ path: 'app.py', line: 9 });
    // And without the baseline everything shows.
    r = await runCli(['scan', '--no-baseline', '-f', 'json', '.'], { cwd: dir });
    expect(json(r.stdout).findings).toHaveLength(2);
  });

  it('the configuration\'s baseline is used by default; --no-baseline overrides it', async () => {
    const t = githubToken();
    const dir = tree({ '.tokenward.yaml': 'baseline: security/accepted.json\n', 'security/.keep': '', 'a.txt': `${t}\n` });
    const b = await runCli(['baseline'], { cwd: dir });
    expect(b.code).toBe(0);
    expect(b.stderr).toContain('security/accepted.json');
    expect(JSON.parse(readFileSync(join(dir, 'security/accepted.json'), 'utf8')).entries[0].path).toBe('../a.txt');
    expect((await runCli(['scan', '-q'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['scan', '-q', '--no-baseline'], { cwd: dir })).code).toBe(1);
  });

  it('--update-baseline accepts new findings, drops fixed ones, keeps notes and entries outside the scan', async () => {
    const kept = githubToken();
    const fixed = githubToken();
    const outside = githubToken();
    const dir = tree({ 'src/a.ts': `A="${kept}"\nF="${fixed}"\n`, 'other/o.ts': `O="${outside}"\n` });
    expect((await runCli(['baseline', '-o', 'b.json', '--note', 'ticket SEC-1'], { cwd: dir })).code).toBe(0);
    const before = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).entries;
    expect(before).toHaveLength(3);

    const added = githubToken();
    writeFileSync(join(dir, 'src/a.ts'), `A="${kept}"\nN="${added}"\n`);
    // Without --update-baseline the new one is reported and the file is untouched.
    let r = await runCli(['scan', '--baseline', 'b.json', '-f', 'json', 'src'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(json(r.stdout).findings).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).entries).toEqual(before);

    r = await runCli(['scan', '--baseline', 'b.json', '--update-baseline', 'src'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/baseline b\.json updated: 1 added, 1 removed, 2 kept/);
    const after = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).entries as Array<{ path: string; note?: string; fingerprint: string }>;
    expect(after.map((e) => e.path).sort()).toEqual(['other/o.ts', 'src/a.ts', 'src/a.ts']);
    expect(after.filter((e) => e.note === 'ticket SEC-1')).toHaveLength(2);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).not.toContain(added);
    // Everything is accepted now.
    expect((await runCli(['scan', '--baseline', 'b.json', '-q', '.'], { cwd: dir })).code).toBe(0);
  });

  it('--update-baseline creates a missing baseline and needs a file', async () => {
    const dir = tree({ 'a.txt': `${githubToken()}\n` });
    const r = await runCli(['scan', '--update-baseline', '--baseline', 'new.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'new.json'), 'utf8')).entries).toHaveLength(1);
    const none = await runCli(['scan', '--update-baseline'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--update-baseline needs --baseline FILE/);
  });

  it('a missing or broken baseline is one clear error naming the file, line and key', async () => {
    const dir = tree({
      'a.txt': `${githubToken()}\n`,
      'bad.json': '{\n  "version": 1,\n  "entries": [\n    { "fingerprint": "xyz", "ruleId": "r", "path": "a" }\n  ]\n}\n',
      'broken.json': '{ "version": 1, "entries": [ }\n',
    });
    let r = await runCli(['scan', '--baseline', 'missing.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/baseline not found: .*missing\.json/);
    r = await runCli(['scan', '--baseline', 'bad.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json:4: key "entries\[0\]\.fingerprint" must match pattern/);
    r = await runCli(['scan', '--baseline', 'broken.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json:1: invalid JSON/);
  });

  it('baseline rejects scan options that make no sense for it', async () => {
    const r = await runCli(['baseline', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format is a 'tokenward scan' option/);
  });

  it('works for standard input too', async () => {
    const t = githubToken();
    const dir = tree({});
    expect((await runCli(['baseline', '-o', 'b.json', '-'], { cwd: dir, input: `log ${t}\n` })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).entries[0].path).toBe('<stdin>');
    const r = await runCli(['scan', '--baseline', 'b.json', '-f', 'jsonl', '-'], { cwd: dir, input: `again ${t}\nnew ${githubToken()}\n` });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });
});
