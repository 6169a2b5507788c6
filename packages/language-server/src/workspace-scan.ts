/**
 * "Scan workspace": the files `tokenward scan` would scan, from the same listing and the same
 * chunk pool, with the same suppression as open buffers, so diagnostics for unopened files agree
 * with the CLI.
 */
import { join } from 'node:path';
import type { Finding } from '@tokenward/engine';
import { FilesSource, listFiles, scanSource } from '@tokenward/sources';
import type { ProjectContext } from './project-context.js';

export interface WorkspaceScanResult {
  files: number;
  /** Absolute path → findings (only files with findings). */
  findings: Map<string, Finding[]>;
  /** Unreadable files and other problems: reported, and the scan goes on. */
  problems: string[];
}

/** Larger files are left to `tokenward scan`: an editor should not stall on a 1 GB log. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const PROGRESS_EVERY_MS = 100;

export async function scanWorkspace(root: string, project: ProjectContext, onProgress: (done: number, total: number, file: string) => void): Promise<WorkspaceScanResult> {
  const listed = await listFiles([root], { cwd: root });
  const files = listed.files.filter((f) => !project.isIgnoredPath(f.abs));
  let lastReport = 0;
  // In this thread (the bundled server ships no worker file); the pool yields between batches,
  // so edits and hovers get in while a large workspace is scanned.
  const result = await scanSource(new FilesSource(files), project.rules, {
    threads: 1,
    maxFileSize: MAX_FILE_BYTES,
    onProgress: (s, shown) => {
      const done = s.files + s.binary + s.skipped + s.unreadable;
      const now = Date.now();
      if (now - lastReport < PROGRESS_EVERY_MS && done < files.length) return;
      lastReport = now;
      onProgress(done, files.length, shown);
    },
  });
  const findings = new Map<string, Finding[]>();
  for (const f of project.suppress(result.findings)) {
    const abs = join(root, f.origin.path);
    findings.set(abs, [...(findings.get(abs) ?? []), f]);
  }
  const problems = [...listed.problems, ...result.problems].map((p) => `${p.path}: ${p.message}`);
  return { files: result.stats.files, findings, problems };
}
