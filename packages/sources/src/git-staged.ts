import { join } from 'node:path';
import { UsageError } from '@tokenward/project';
import { Tally, type SourceResult } from './chunk.js';
import { toDisplay } from './files.js';
import { CatFileBatch, discoverWorkTree, gitAsync, type GitRepo, type GitResult } from './git.js';
import type { ChunkPool } from './pool.js';
import type { Source, SourceScanOptions } from './source.js';

/** Every added or changed file of the index against HEAD (or everything staged on an unborn
 * branch), paths from the top of the work tree whatever `diff.relative` says. */
const STAGED_LIST = ['-c', 'core.quotePath=false', 'diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--no-relative', '--diff-filter=ACMT', '--no-ext-diff'];

/**
 * Exactly what is staged, for pre-commit: the index version of each added or changed file, read
 * from git's object store (never the working tree, so unstaged edits are not reported). Lean on
 * purpose — no workers, no library loads — because it runs on every commit: `start` finds the
 * work tree and launches the staged list at once, and git lists while the caller loads its rules.
 */
export class GitStagedSource implements Source {
  private constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv | undefined,
    private readonly repo: Promise<GitRepo>,
    private readonly list: Promise<GitResult>,
    /** Paths are shown relative to this folder. */
    private readonly cwd: string,
  ) {}

  /** Starts listing what is staged in the repository holding `path`. The git processes end by
   * themselves; a usage error (not a repository, git missing) surfaces when the scan is awaited. */
  static start(path: string, cwd: string, env?: NodeJS.ProcessEnv): GitStagedSource {
    const { dir, repo } = discoverWorkTree(path, cwd, env);
    const list = gitAsync(STAGED_LIST, { root: dir, env });
    // Read by scan(); a scan that never happens (an error before it) leaves nothing unhandled.
    repo.catch(() => {});
    list.catch(() => {});
    return new GitStagedSource(dir, env, repo, list, cwd);
  }

  async scan(pool: ChunkPool, options: SourceScanOptions = {}): Promise<SourceResult> {
    const tally = new Tally(options.onProgress);
    const repo = await this.repo;
    const diff = await this.list;
    if (diff.status !== 0) throw new UsageError(`cannot list staged changes: ${diff.stderr.split('\n')[0] ?? ''}`);
    const tokens = diff.stdout.toString('utf8').split('\0');
    const staged: Array<{ blob: string; path: string }> = [];
    for (let i = 0; i + 1 < tokens.length; i += 2) {
      // ":<old mode> <new mode> <old id> <new id> <status>" then the path
      const meta = tokens[i]!.replace(/^\n/, '');
      const [, newMode, , newBlob] = meta.slice(1).split(' ');
      if (!meta.startsWith(':') || !newBlob || newMode === '160000') continue;
      staged.push({ blob: newBlob, path: toDisplay(join(repo.root, tokens[i + 1]!), this.cwd) });
    }
    if (staged.length) {
      // cat-file answers in the order asked.
      let next = 0;
      const cat = new CatFileBatch({ root: this.dir, env: this.env }, (a) => {
        const { path } = staged[next++]!;
        if (!a.bytes || a.type !== 'blob') tally.problems.push({ path, message: `staged blob ${a.id.slice(0, 12)} ${a.bytes ? `is a ${a.type}` : a.type === 'missing' ? 'is missing' : `cannot be read: ${a.message}`}` });
        else pool.scan({ origin: { path, kind: 'git-staged', blob: a.id }, bytes: a.bytes }, (outcome) => tally.add(path, outcome));
      });
      for (const s of staged) cat.request(s.blob);
      cat.end();
      await cat.done;
      await pool.drain();
    }
    return tally.finish();
  }
}
