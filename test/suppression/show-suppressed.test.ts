import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

/** One finding per kind of suppression, plus one reported finding. */
let dir: string;
let cleanup: () => void;
const tokens = { inline: githubToken(), baseline: githubToken(), allow: githubToken(), path: githubToken(), reported: githubToken() };

beforeAll(async () => {
  const t = tempTree({
    '.tokenward.yaml': `ignorePaths: ["vendor/"]\nallow:\n  - value: ${tokens.allow}\n    reason: public example\nbaseline: accepted.json\n`,
    'src/inline.ts': `const a = "${tokens.inline}"; // gitleaks:allow\n`,
    'src/accepted.ts': `const b = "${tokens.baseline}";\n`,
    'src/allowed.ts': `const c = "${tokens.allow}";\n`,
    'vendor/lib.js': `var d = "${tokens.path}";\n`,
  });
  dir = t.dir;
  cleanup = t.cleanup;
  const b = await runCli(['baseline', '--note', 'legacy'], { cwd: dir });
  expect(b.code).toBe(0);
  writeFileSync(join(dir, 'src/new.ts'), `const e = "${tokens.reported}";\n`);
});
afterAll(() => cleanup());

// The allow-listed value also sits in the configuration itself, where the same entry hides it.
const REASONS = {
  '.tokenward.yaml': 'config .tokenward.yaml allow[0] by value (public example)',
  'src/inline.ts': 'inline comment "gitleaks:allow" (gitleaks) on line 1',
  'src/accepted.ts': 'baseline accepted.json (note: legacy)',
  'src/allowed.ts': 'config .tokenward.yaml allow[0] by value (public example)',
  'vendor/lib.js': 'path ignore "vendor/" in .tokenward.yaml ignorePaths[0]',
};

function noSecrets(out: string) {
  for (const t of Object.values(tokens)) expect(out).not.toContain(t);
}

describe('--show-suppressed', () => {
  it('without it, suppressed findings are only counted', async () => {
    const r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    // Path-ignored files are not even read without --show-suppressed: 4, not 5.
    expect(r.stdout).toMatch(/1 secret found in 1 file .*4 suppressed \(--show-suppressed lists them\)/);
    expect(r.stdout).not.toContain('src/inline.ts');
    const j = JSON.parse((await runCli(['scan', '-f', 'json', '.'], { cwd: dir })).stdout);
    expect(j.suppressedCount).toBe(4);
    expect(j.suppressed).toBeUndefined();
  });

  it('text', async () => {
    const r = await runCli(['scan', '--show-suppressed', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    noSecrets(r.stdout);
    expect(r.stdout).toContain('suppressed (5):');
    for (const [path, reason] of Object.entries(REASONS)) {
      expect(r.stdout).toMatch(new RegExp(`${path}\\n.*\\n\\s+suppressed by ${reason.replace(/[()[\]"]/g, '\\$&')}`));
    }
  });

  it('json', async () => {
    const r = await runCli(['scan', '-f', 'json', '--show-suppressed', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    noSecrets(r.stdout);
    const j = JSON.parse(r.stdout);
    expect(j.findings.map((f: { path: string }) => f.path)).toEqual(['src/new.ts']);
    const got = Object.fromEntries(j.suppressed.map((s: { path: string; suppression: { description: string } }) => [s.path, s.suppression.description]));
    expect(got).toEqual(REASONS);
    const inline = j.suppressed.find((s: { path: string }) => s.path === 'src/inline.ts');
    expect(inline.suppression).toMatchObject({ kind: 'inline', directive: 'gitleaks:allow', tool: 'gitleaks', line: 1 });
    expect(j.suppressed.find((s: { path: string }) => s.path === 'src/accepted.ts').suppression).toMatchObject({ kind: 'baseline', note: 'legacy' });
  });

  it('jsonl', async () => {
    const r = await runCli(['scan', '-f', 'jsonl', '--show-suppressed', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    noSecrets(r.stdout);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => !l.suppressed).map((l) => l.path)).toEqual(['src/new.ts']);
    expect(Object.fromEntries(lines.filter((l) => l.suppressed).map((l) => [l.path, l.suppressed.description]))).toEqual(REASONS);
  });

  it('sarif: results carry suppressions (inSource for comments, external otherwise)', async () => {
    const r = await runCli(['scan', '-f', 'sarif', '--show-suppressed', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    noSecrets(r.stdout);
    const results = JSON.parse(r.stdout).runs[0].results as Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>; suppressions?: Array<{ kind: string; status: string; justification: string }> }>;
    const byPath = Object.fromEntries(results.map((x) => [x.locations[0]!.physicalLocation.artifactLocation.uri, x.suppressions]));
    expect(byPath['src/new.ts']).toBeUndefined();
    for (const [path, reason] of Object.entries(REASONS)) {
      expect(byPath[path], path).toEqual([{ kind: path === 'src/inline.ts' ? 'inSource' : 'external', status: 'accepted', justification: reason }]);
    }
  });

  it('github: suppressed findings become notices, never errors', async () => {
    const r = await runCli(['scan', '-f', 'github', '--show-suppressed', '.'], { cwd: dir });
    expect(r.code).toBe(1);
    noSecrets(r.stdout);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(1);
    const notices = lines.filter((l) => l.startsWith('::notice'));
    expect(notices).toHaveLength(5);
    for (const [path, reason] of Object.entries(REASONS)) {
      expect(notices.find((n) => n.includes(`file=${path},`)), path).toContain(`suppressed by ${reason}`);
    }
  });

  it('exit code ignores suppressed findings', async () => {
    writeFileSync(join(dir, 'src/new.ts'), 'const e = 1;\n');
    const r = await runCli(['scan', '--show-suppressed', '-f', 'json', '.'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).suppressed).toHaveLength(5);
    writeFileSync(join(dir, 'src/new.ts'), `const e = "${tokens.reported}";\n`);
  });
});
