// Full git history: Tokenward against `git log -p -U0 --all` (the floor: git producing every
// change once), on a repository the bench builds from real files unless --repo names one.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench } from '../lib/measure.mjs';
import { fmtMs, fmtRss, workloadTable } from '../lib/report.mjs';

/** The CLI's `scan --help` says whether an option exists yet (history and staged scans are new). */
export function cliSupports(ctx, option) {
  const r = spawnSync(process.execPath, [ctx.cli, 'scan', '--help'], { encoding: 'utf8' });
  return (r.stdout ?? '').includes(option);
}

function historyRepo(ctx) {
  if (ctx.repo) return { path: ctx.repo, built: false };
  const builder = join(ctx.repoRoot, 'scripts', 'make-history-repo.mjs');
  if (!existsSync(builder)) return undefined;
  const out = join(ctx.cacheDir, `history-${ctx.commits}`);
  // Deterministic builder: reuse the repository a previous run built with the same arguments.
  if (!existsSync(join(out, '.git', 'tw-bench-built'))) {
    ctx.log(`building a history of ${ctx.commits} commits in ${out}…`);
    const r = spawnSync(process.execPath, [builder, '--out', out, '--commits', String(ctx.commits)], { cwd: ctx.repoRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error('scripts/make-history-repo.mjs failed');
    ctx.log(r.stdout.trim());
    spawnSync('sh', ['-c', `echo done > "${join(out, '.git', 'tw-bench-built')}"`]);
  }
  return { path: out, built: true };
}

export async function historyWorkload(ctx) {
  const target = { name: 'Full history vs git log -p', goal: '≤ 1.25×' };
  const rssTarget = { name: 'Peak RSS, large history', goal: '≤ 300 MB' };
  if (!cliSupports(ctx, '--history')) {
    return { markdown: '## Full git history\n\nNot available yet: this build of `tokenward scan` has no `--history` option.\n', targets: [target, rssTarget] };
  }
  const repo = historyRepo(ctx);
  if (!repo) return { markdown: '## Full git history\n\nNot available yet: no `--repo` given and no `scripts/make-history-repo.mjs`.\n', targets: [target, rssTarget] };
  const count = spawnSync('git', ['rev-list', '--all', '--count'], { cwd: repo.path, encoding: 'utf8' }).stdout.trim();
  const { runs, log } = ctx;
  const rows = [];
  const common = { runs, log, cwd: repo.path, okCodes: [0, 1] };
  const floor = await bench('git log -p', 'git', ['log', '-p', '-U0', '--all'], common);
  rows.push({ ...floor, command: '`git log -p -U0 --all > /dev/null`' });
  const reportFile = join(ctx.cacheDir, 'tokenward-history.json');
  const tw = await bench('Tokenward', process.execPath, [ctx.cli, 'scan', '--history', '--format', 'json', '--output', reportFile, '.'], common);
  rows.push({ ...tw, command: '`tokenward scan --history -f json -o FILE`' });
  let findings = '?';
  try {
    findings = JSON.parse(readFileSync(reportFile, 'utf8')).findings.length;
  } catch { /* shown as ? */ }
  const ratio = tw.medianMs && floor.medianMs ? tw.medianMs / floor.medianMs : undefined;
  target.measured = ratio ? `${ratio.toFixed(2)}× (${fmtMs(tw.medianMs)} vs ${fmtMs(floor.medianMs)})` : undefined;
  target.met = ratio ? ratio <= 1.25 : undefined;
  if (target.met === false) {
    target.why = `Tokenward needs ${fmtMs(tw.cpuMs)} of CPU beside git's ${fmtMs(floor.cpuMs)} (it runs git to read the objects, then scans them): with two cores, any other load on the machine lands on the wall time`;
  }
  rssTarget.measured = tw.peakRssKb ? fmtRss(tw.peakRssKb) : undefined;
  rssTarget.met = tw.peakRssKb ? tw.peakRssKb / 1024 <= 300 : undefined;
  const du = spawnSync('du', ['-sh', '.git'], { cwd: repo.path, encoding: 'utf8' }).stdout.split('\t')[0];
  const markdown = `## Full git history

Repository: ${repo.built ? `built by \`scripts/make-history-repo.mjs --commits ${ctx.commits}\` from real files` : `\`${repo.path}\``} — ${count} commits, .git ${du}.
Tokenward found ${findings} findings.

${workloadTable(rows, { floorLabel: 'git log -p' })}
`;
  return { markdown, targets: [target, rssTarget] };
}
