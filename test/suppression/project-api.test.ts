import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint, scanText } from '@tokenward/engine';
import { loadProjectSettings, loadRules, Suppressor, updateBaselineEntries, writeBaseline } from '@tokenward/project';
import { tempTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('@tokenward/project suppression API (what the language server uses)', () => {
  it('classifies findings of an editor buffer with the project settings of its folder', () => {
    const accepted = githubToken();
    const allowed = githubToken();
    const t = tempTree({ '.tokenward.yaml': `allow:\n  - fingerprint: ${fingerprint('github-pat-classic', allowed)}\n    reason: demo\nbaseline: b.json\nignorePaths: [gen/]\n`, 'src/.keep': '' });
    cleanups.push(t.cleanup);
    writeBaseline(join(t.dir, 'b.json'), [{ fingerprint: fingerprint('github-pat-classic', accepted), ruleId: 'github-pat-classic', path: 'x' }]);
    const settings = loadProjectSettings({ cwd: t.dir, paths: [join(t.dir, 'src')] });
    const suppressor = new Suppressor(settings, t.dir);
    const fresh = githubToken();
    const text = `a = "${accepted}"\nb = "${allowed}"\nc = "${fresh}" // tokenward:allow\nd = "${fresh}"\n`;
    const findings = scanText(loadRules().compiled, text, { path: 'src/buffer.ts' });
    expect(findings.map((f) => suppressor.reasonFor(f)?.kind)).toEqual(['baseline', 'allow', 'inline', undefined]);
    // Path ignores apply to the finding's path, relative to the configuration's folder.
    const inGen = scanText(loadRules().compiled, `d = "${fresh}"\n`, { path: 'gen/out.js' });
    expect(suppressor.reasonFor(inGen[0]!)).toEqual({ kind: 'path', file: '.tokenward.yaml ignorePaths[0]', pattern: 'gen/' });
    // A baseline can be bypassed per call (e.g. to show accepted findings as hints).
    expect(suppressor.reasonFor(findings[0]!, { baseline: false })).toBeUndefined();
  });

  it('updateBaselineEntries keeps notes of moved secrets, drops fixed ones only where it looked', () => {
    const fp = (n: string) => n.padStart(40, '0');
    const existing = [
      { fingerprint: fp('a'), ruleId: 'r', path: 'src/a.ts', note: 'kept note' },
      { fingerprint: fp('b'), ruleId: 'r', path: 'src/b.ts' },
      { fingerprint: fp('c'), ruleId: 'r', path: 'lib/c.ts' },
    ];
    const finding = (f: string, path: string) => ({ fingerprint: fp(f), ruleId: 'r', origin: { path } }) as never;
    const u = updateBaselineEntries(existing, [finding('a', 'src/moved.ts'), finding('d', 'src/d.ts')], {
      cwd: '/repo',
      baselineFile: '/repo/baseline.json',
      covers: (e) => e.path.startsWith('src/'),
    });
    expect(u.entries).toEqual([
      { fingerprint: fp('c'), ruleId: 'r', path: 'lib/c.ts' },
      { fingerprint: fp('d'), ruleId: 'r', path: 'src/d.ts' },
      { fingerprint: fp('a'), ruleId: 'r', path: 'src/moved.ts', note: 'kept note' },
    ]);
    expect({ added: u.added, removed: u.removed, kept: u.kept }).toEqual({ added: 2, removed: 2, kept: 1 });
  });
});
