/**
 * "Scan workspace": every file the CLI would scan, analysed like an open buffer so diagnostics
 * for unopened files use the same rules, ignores and baseline.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Finding } from '@tokenward/engine';
import type { ProjectContext } from './project-context.js';

export interface WorkspaceScanResult {
  files: number;
  /** Absolute path → findings (only files with findings). */
  findings: Map<string, Finding[]>;
  /** Unreadable files and other problems: reported, and the scan goes on. */
  problems: string[];
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;
const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', 'dist', 'out', '.cache']);

function gitFiles(root: string): Promise<string[] | undefined> {
  return new Promise((resolveFiles) => {
    execFile('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolveFiles(undefined);
      resolveFiles(stdout.split('\0').filter(Boolean).map((f) => join(root, f)));
    });
  });
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), out);
    } else if (e.isFile()) {
      out.push(join(dir, e.name));
    }
  }
}

/** Files of the workspace: what git tracks or would track (.gitignore honoured), else a walk. */
export async function listWorkspaceFiles(root: string): Promise<string[]> {
  const fromGit = await gitFiles(root);
  if (fromGit) return fromGit;
  const out: string[] = [];
  await walk(root, out);
  return out.sort();
}

export async function scanWorkspace(root: string, project: ProjectContext, onProgress: (done: number, total: number, file: string) => void): Promise<WorkspaceScanResult> {
  const files = await listWorkspaceFiles(root);
  const result: WorkspaceScanResult = { files: 0, findings: new Map(), problems: [] };
  let lastReport = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    try {
      if (project.isIgnoredPath(file)) continue;
      const st = await stat(file);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) continue;
      const bytes = await readFile(file);
      // Binary content cannot hold a token worth showing in an editor.
      if (bytes.subarray(0, 8000).includes(0)) continue;
      result.files++;
      const { findings } = project.analyze(bytes.toString('utf8'), project.displayPath(file));
      if (findings.length) result.findings.set(file, findings);
    } catch (e) {
      result.problems.push(`${relative(root, file)}: ${(e as Error).message}`);
    }
    const now = Date.now();
    if (now - lastReport > 100 || i === files.length - 1) {
      lastReport = now;
      onProgress(i + 1, files.length, relative(root, file));
      // Let edits and hovers in while a large workspace is scanned.
      await new Promise((r) => setImmediate(r));
    }
  }
  return result;
}
