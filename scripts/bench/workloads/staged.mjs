// Pre-commit staged scan: a whole `tokenward scan --staged` process, start-up included, on a
// small repository with a typical commit's worth of staged changes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench } from '../lib/measure.mjs';
import { fmtMs, workloadTable } from '../lib/report.mjs';
import { cliSupports } from './history.mjs';

/** Up to `n` real source files (≤ 20 KB) from the project's packages, for realistic staged content. */
function sampleSources(root, n) {
  const out = [];
  const stack = [join(root, 'packages')];
  while (stack.length && out.length < n) {
    const dir = stack.pop();
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (/\.(ts|js|json|md|ya?ml)$/.test(e.name) && statSync(p).size < 20_000) out.push(p);
      if (out.length >= n) break;
    }
  }
  return out;
}

export async function stagedWorkload(ctx) {
  const target = { name: 'Pre-commit staged scan', goal: '≤ 150 ms' };
  if (!cliSupports(ctx, '--staged')) {
    return { markdown: '## Pre-commit staged scan\n\nNot available yet: this build of `tokenward scan` has no `--staged` option.\n', targets: [target] };
  }
  const repo = join(ctx.cacheDir, 'staged-repo');
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  const git = (...args) => spawnSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'bench');
  const files = sampleSources(ctx.repoRoot, 40);
  // A first commit with most files, then edits to ten of them staged: a typical commit.
  files.forEach((f, i) => writeFileSync(join(repo, `f${i}-${f.split('/').pop()}`), readFileSync(f)));
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  for (let i = 0; i < Math.min(10, files.length); i++) {
    const p = join(repo, `f${i}-${files[i].split('/').pop()}`);
    writeFileSync(p, `${readFileSync(p, 'utf8')}\n// edited ${i}\n`);
  }
  writeFileSync(join(repo, 'new-file.ts'), readFileSync(files[0]));
  git('add', '-A');
  const { runs, log } = ctx;
  const rows = [];
  const common = { runs, log, cwd: repo, okCodes: [0, 1] };
  const node = await bench('node (empty process)', process.execPath, ['-e', '0'], common);
  rows.push({ ...node, command: '`node -e 0`' });
  const tw = await bench('Tokenward', process.execPath, [ctx.shippedCli, 'scan', '--staged', '-q'], common);
  rows.push({ ...tw, command: '`tokenward scan --staged`' });
  target.measured = tw.medianMs ? fmtMs(tw.medianMs) : undefined;
  target.met = tw.medianMs ? tw.medianMs <= 150 : undefined;
  if (target.met === false && node.medianMs) {
    target.why = `an empty Node process alone takes ${fmtMs(node.medianMs)}; the rest is loading the bundled CLI, reading the rules cache and compiling the rules, and two git processes (the staged list, the object reader)`;
  }
  const markdown = `## Pre-commit staged scan

A repository with ${files.length} real source files committed, then 10 of them edited and one added, all staged.
The whole process is timed, start-up included, running the published package's bundled CLI; an empty Node process is shown for scale.

${workloadTable(rows, { floorLabel: 'node (empty process)' })}
`;
  return { markdown, targets: [target] };
}
