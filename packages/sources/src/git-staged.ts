import { join } from 'node:path';
import { scanBytes, type CompiledRules, type Finding } from '@tokenward/engine';
import { UsageError } from '@tokenward/project';
import { emptyStats, type ScanProblem, type ScanStats } from './scanner.js';
import { textBytes, toDisplay } from './files.js';
import { gitSync, type GitRepo } from './git.js';

/**
 * Exactly what is staged, for pre-commit: the index version of each added or changed file, read
 * from git's object store (never the working tree, so unstaged edits are not reported). Lean on
 * purpose — two git processes after discovery, no workers, no library loads — because it runs on
 * every commit.
 */
export interface StagedScanResult {
  findings: Finding[];
  stats: ScanStats;
  problems: ScanProblem[];
  skippedFiles: ScanProblem[];
}

export function scanStaged(compiled: CompiledRules, repo: GitRepo, cwd: string, maxFileSize?: number): StagedScanResult {
  const started = performance.now();
  const stats = emptyStats();
  const problems: ScanProblem[] = [];
  const skippedFiles: ScanProblem[] = [];
  // Against HEAD, or everything staged on an unborn branch (git handles both).
  const diff = gitSync(['-c', 'core.quotePath=false', 'diff', '--cached', '--raw', '-z', '--no-abbrev', '--no-renames', '--diff-filter=ACMT', '--no-ext-diff'], repo.root);
  if (diff.status !== 0) throw new UsageError(`cannot list staged changes: ${diff.stderr.split('\n')[0] ?? ''}`);
  const tokens = diff.stdout.toString('utf8').split('\0');
  const staged: Array<{ blob: string; path: string }> = [];
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    // ":<old mode> <new mode> <old id> <new id> <status>" then the path
    const meta = tokens[i]!.replace(/^\n/, '');
    const [, newMode, , newBlob] = meta.slice(1).split(' ');
    if (!meta.startsWith(':') || !newBlob || newMode === '160000') continue;
    staged.push({ blob: newBlob, path: tokens[i + 1]! });
  }
  const findings: Finding[] = [];
  if (staged.length) {
    const out = gitSync(['cat-file', '--batch'], repo.root, staged.map((s) => `${s.blob}\n`).join(''));
    if (out.status !== 0) throw new Error(`git cat-file failed: ${out.stderr}`);
    const buf = out.stdout;
    let pos = 0;
    for (const s of staged) {
      const nl = buf.indexOf(10, pos);
      const header = buf.toString('latin1', pos, nl).split(' ');
      const display = toDisplay(join(repo.root, s.path), cwd);
      if (header[1] === 'missing' || header.length !== 3) {
        problems.push({ path: display, message: `staged blob ${s.blob.slice(0, 12)} is missing` });
        pos = nl + 1;
        continue;
      }
      const size = Number(header[2]);
      const bytes = buf.subarray(nl + 1, nl + 1 + size);
      pos = nl + 1 + size + 1;
      if (maxFileSize !== undefined && size > maxFileSize) {
        stats.skipped++;
        skippedFiles.push({ path: display, message: 'larger than --max-file-size' });
        continue;
      }
      const text = textBytes(bytes);
      if (!text) {
        stats.binary++;
        continue;
      }
      stats.files++;
      stats.bytes += size;
      for (const f of scanBytes(compiled, text, { path: display, kind: 'git-staged' })) findings.push(f);
    }
  }
  stats.findings = findings.length;
  stats.durationMs = performance.now() - started;
  return { findings, stats, problems, skippedFiles };
}
