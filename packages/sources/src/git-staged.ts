import { join } from 'node:path';
import { UsageError } from '@tokenward/project';
import { Tally, type SourceResult } from './chunk.js';
import { toDisplay } from './files.js';
import { CatFileBatch, gitSync, type GitRepo } from './git.js';
import type { ChunkPool } from './pool.js';
import type { Source, SourceScanOptions } from './source.js';

/**
 * Exactly what is staged, for pre-commit: the index version of each added or changed file, read
 * from git's object store (never the working tree, so unstaged edits are not reported). Lean on
 * purpose — two git processes after discovery, no workers, no library loads — because it runs on
 * every commit.
 */
export class GitStagedSource implements Source {
  constructor(
    private readonly repo: GitRepo,
    /** Paths are shown relative to this folder. */
    private readonly cwd: string,
  ) {}

  async scan(pool: ChunkPool, options: SourceScanOptions = {}): Promise<SourceResult> {
    const { repo } = this;
    const tally = new Tally(options.onProgress);
    // Against HEAD, or everything staged on an unborn branch (git handles both).
    const diff = gitSync(['-c', 'core.quotePath=false', 'diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--diff-filter=ACMT', '--no-ext-diff'], repo);
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
      const cat = new CatFileBatch(repo, (a) => {
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
