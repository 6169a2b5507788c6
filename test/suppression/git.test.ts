import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A real git repository in a temp folder. */
function repo() {
  const t = tempTree({});
  cleanups.push(t.cleanup);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: t.dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  const write = (path: string, text: string) => writeFileSync(join(t.dir, path), text);
  const commit = (msg: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', msg);
    return git('rev-parse', 'HEAD').trim();
  };
  return { dir: t.dir, git, write, commit };
}

const findingsOf = (stdout: string) => JSON.parse(stdout).findings as Array<{ path: string; line: number; commit?: string }>;

describe('baseline and directives with git sources', () => {
  it('--history: a baselined secret stays hidden in every commit, also after it moved; a replacement is reported', async () => {
    const r = repo();
    const accepted = githubToken();
    r.write('app.py', `TOKEN = "${accepted}"\n`);
    const first = r.commit('add token');
    r.write('app.py', `import os\n\n\nTOKEN = "${accepted}"\n`);
    r.commit('move it');
    r.write('app.py', 'import os\n');
    r.commit('remove it (still in history)');

    const b = await runCli(['baseline', '--history', '-o', 'baseline.json', '--note', 'rotated'], { cwd: r.dir });
    expect(b.code).toBe(0);
    const text = readFileSync(join(r.dir, 'baseline.json'), 'utf8');
    expect(text).not.toContain(accepted);
    const entries = JSON.parse(text).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ ruleId: 'github-pat-classic', path: 'app.py', commit: first, note: 'rotated' });

    let s = await runCli(['scan', '--history', '--baseline', 'baseline.json', '-f', 'json'], { cwd: r.dir });
    expect(s.code).toBe(0);
    expect(findingsOf(s.stdout)).toEqual([]);

    // A different secret at the very same place in a new commit is reported.
    const replacement = githubToken();
    r.write('app.py', `import os\n\n\nTOKEN = "${replacement}"\n`);
    const third = r.commit('new token on the old line');
    s = await runCli(['scan', '--history', '--baseline', 'baseline.json', '-f', 'json'], { cwd: r.dir });
    expect(s.code).toBe(1);
    const found = findingsOf(s.stdout);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'app.py', line: 4, commit: third });

    // --update-baseline accepts it; the history is clean again.
    s = await runCli(['scan', '--history', '--baseline', 'baseline.json', '--update-baseline'], { cwd: r.dir });
    expect(s.code).toBe(0);
    expect(s.stderr).toMatch(/1 added, 0 removed, 1 kept/);
    expect((await runCli(['scan', '--history', '--baseline', 'baseline.json', '-q'], { cwd: r.dir })).code).toBe(0);
  });

  it('--history honours inline directives and path ignores in old commits', async () => {
    const r = repo();
    r.write('a.env', `A=${githubToken()} # gitleaks:allow\n`);
    r.write('.tokenwardignore', 'fixtures/\n');
    execFileSync('mkdir', ['fixtures'], { cwd: r.dir });
    r.write('fixtures/f.txt', `${githubToken()}\n`);
    r.commit('one');
    r.write('a.env', '');
    r.write('fixtures/f.txt', '');
    r.commit('two');
    const s = await runCli(['scan', '--history', '--show-suppressed', '-f', 'json'], { cwd: r.dir });
    expect(s.code).toBe(0);
    const reasons = JSON.parse(s.stdout).suppressed.map((x: { path: string; suppression: { kind: string } }) => `${x.path}:${x.suppression.kind}`).sort();
    expect(reasons).toEqual(['a.env:inline', 'fixtures/f.txt:path']);
  });

  it('--staged: baselined secrets pass the pre-commit check, a new one fails it', async () => {
    const r = repo();
    const accepted = githubToken();
    r.write('config.ts', `export const t = "${accepted}";\n`);
    r.commit('legacy');
    expect((await runCli(['baseline', '-o', '.tokenward-baseline.json'], { cwd: r.dir })).code).toBe(0);
    r.write('.tokenward.yaml', 'baseline: .tokenward-baseline.json\n');
    r.commit('adopt tokenward');

    // The accepted secret moves within a staged change: still passes.
    r.write('config.ts', `// moved\n\nexport const t = "${accepted}";\n`);
    r.git('add', 'config.ts');
    let s = await runCli(['scan', '--staged', '-f', 'json'], { cwd: r.dir });
    expect(s.code).toBe(0);

    // A different secret staged on the same line: blocked.
    r.write('config.ts', `// moved\n\nexport const t = "${githubToken()}";\n`);
    r.git('add', 'config.ts');
    s = await runCli(['scan', '--staged', '-f', 'json'], { cwd: r.dir });
    expect(s.code).toBe(1);
    expect(findingsOf(s.stdout)[0]).toMatchObject({ path: 'config.ts', line: 3 });

    // ... unless the line says so.
    r.write('config.ts', `// moved\n\nexport const t = "${githubToken()}"; // tokenward:allow\n`);
    r.git('add', 'config.ts');
    s = await runCli(['scan', '--staged', '-f', 'json', '--show-suppressed'], { cwd: r.dir });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).suppressed[0].suppression).toMatchObject({ kind: 'inline', directive: 'tokenward:allow', line: 3 });
  });
});
