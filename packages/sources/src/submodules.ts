import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emptyStats, type SourceResult } from './chunk.js';
import { runGit } from './git.js';
import type { ChunkPool } from './pool.js';
import type { Source, SourceScanOptions } from './source.js';

/**
 * Submodules: repositories of their own inside a work tree. Git lists a submodule as one entry (a
 * gitlink), never its files, so each checked-out submodule is listed (or its history walked) in
 * its own repository. A submodule that is not checked out has nothing here to read.
 */

const GITLINK_MODE = '160000';

/** Paths (relative to `root`, `/`-separated) of the checked-out submodules of the work tree at `root`. */
export function submodulePaths(root: string, env?: NodeJS.ProcessEnv): string[] {
  // Cheap test first: a repository without .gitmodules has no submodules to look for.
  if (!existsSync(join(root, '.gitmodules'))) return [];
  const r = runGit(['ls-files', '-z', '--stage'], root, { env });
  if (r.status !== 0) return [];
  const out: string[] = [];
  for (const entry of r.stdout.toString('utf8').split('\0')) {
    // "<mode> <object> <stage>\t<path>"
    if (!entry.startsWith(GITLINK_MODE)) continue;
    const path = entry.slice(entry.indexOf('\t') + 1);
    if (existsSync(join(root, path, '.git'))) out.push(path);
  }
  return out;
}

/** Several sources scanned one after the other into one result (a repository and its submodules). */
export class SourceList implements Source {
  constructor(private readonly sources: readonly Source[]) {}

  async scan(pool: ChunkPool, options: SourceScanOptions = {}): Promise<SourceResult> {
    const total: SourceResult = { findings: [], stats: emptyStats(), problems: [], skippedFiles: [] };
    for (const source of this.sources) {
      const r = await source.scan(pool, options);
      total.findings.push(...r.findings);
      total.problems.push(...r.problems);
      total.skippedFiles.push(...r.skippedFiles);
      for (const key of Object.keys(r.stats) as Array<keyof typeof r.stats>) total.stats[key] = (total.stats[key] ?? 0) + (r.stats[key] ?? 0);
    }
    return total;
  }
}
