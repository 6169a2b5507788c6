import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

/** Environment for git in tests: no user or system config, fixed identity, dates we choose. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Ada Test',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Test',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
    NO_COLOR: '1',
    ...extra,
  };
}

export interface TestRepo {
  dir: string;
  git(...args: string[]): string;
  /** Writes files (null deletes), stages everything, commits; returns the commit id. */
  commit(message: string, files: Record<string, string | null>, date?: string): string;
  write(files: Record<string, string | null>): void;
  cleanup(): void;
}

let clock = Date.UTC(2024, 0, 1) / 1000;

export function makeRepo(options: { bare?: boolean; parent?: string } = {}): TestRepo {
  const base = options.parent ?? mkdtempSync(join(tmpdir(), 'tokenward-git-'));
  const dir = options.parent ? mkdtempSync(join(options.parent, 'repo-')) : join(base, 'repo');
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  git('init', '-q', '-b', 'main', ...(options.bare ? ['--bare'] : []));
  const write = (files: Record<string, string | null>) => {
    for (const [rel, content] of Object.entries(files)) {
      const abs = join(dir, rel);
      if (content === null) unlinkSync(abs);
      else {
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
    }
  };
  return {
    dir,
    git,
    write,
    commit(message, files, date) {
      write(files);
      git('add', '-A');
      clock += 3600;
      const when = date ?? `@${clock} +0000`;
      execFileSync('git', ['commit', '-q', '--allow-empty', '--no-verify', '-m', message], {
        cwd: dir,
        env: gitEnv({ GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return git('rev-parse', 'HEAD');
    },
    cleanup: () => rmSync(options.parent ? dir : base, { recursive: true, force: true }),
  };
}

/** A repository for the running test, removed when the test finishes. */
export function testRepo(options: { bare?: boolean; parent?: string } = {}): TestRepo {
  const r = makeRepo(options);
  onTestFinished(() => r.cleanup());
  return r;
}
