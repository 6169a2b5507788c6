import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files and bytes of a tree, symlinks not followed (no tool in the comparison follows them). */
export function treeStats(root) {
  let files = 0;
  let bytes = 0;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop();
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        files++;
        bytes += lstatSync(p).size;
      }
    }
  }
  return { files, bytes };
}

/**
 * A private copy of a tree under the cache. gitleaks' default configuration skips every path
 * containing `node_modules`, so the default corpus (the project's own node_modules) is scanned
 * from a copy named `tree`: every tool then sees the same files.
 */
export function copyCorpus(src, cacheDir) {
  const dest = join(cacheDir, 'corpus', 'tree');
  rmSync(join(cacheDir, 'corpus'), { recursive: true, force: true });
  mkdirSync(join(cacheDir, 'corpus'), { recursive: true });
  const r = spawnSync('cp', ['-a', src, dest], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(dest)) throw new Error(`could not copy ${src} to ${dest}: ${r.stderr}`);
  return dest;
}

/** The rules' keywords, one per line, for ripgrep's literal pass (`rg -F -f`). */
export async function writeKeywordFile(repoRoot, cacheDir) {
  const { loadRules } = await import(join(repoRoot, 'packages', 'project', 'dist', 'index.js'));
  const { compiled } = loadRules([]);
  const keywords = [...compiled.prefilter.keywords];
  const file = join(cacheDir, 'keywords.txt');
  writeFileSync(file, `${keywords.join('\n')}\n`);
  return { file, keywords, ruleCount: compiled.rules.length };
}
