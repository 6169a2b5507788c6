#!/usr/bin/env node
// `npm run bench`: Tokenward side by side with the floor (the least work any tool must do) and its
// peers, on the same input in the same run, written to docs/benchmarks.md.
//
// Usage: node scripts/bench/run.mjs [--only folder,history,staged,lsp,redact,accuracy,org,repo] [--corpus PATH]
//          [--repo PATH]... [--commits N] [--runs N] [--peers rg,secretlint,gitleaks] [--peer-timeout SECONDS]
//          [--out FILE] [--no-build]
// --repo (repeatable) names real repositories, a checkout or a bare mirror, measured as they are
// (nothing is fetched): the `repo` workload (folder, pre-commit, history, --since-last per repository).
// Peers are installed on demand outside the repository (see lib/peers.mjs); nothing is added to
// the project's dependencies.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CACHE_DIR, ensureGnuTime, ensureNpmPeers, ensureRipgrep, toolVersion } from './lib/peers.mjs';
import { fmtMB, fmtMs, fmtRss, targetsTable } from './lib/report.mjs';
import { folderWorkload } from './workloads/folder.mjs';
import { historyWorkload } from './workloads/history.mjs';
import { stagedWorkload } from './workloads/staged.mjs';
import { lspWorkload } from './workloads/lsp.mjs';
import { redactWorkload } from './workloads/redact.mjs';
import { accuracyBenchWorkload } from './workloads/accuracy.mjs';
import { orgWorkload } from './workloads/org.mjs';
import { repoWorkload } from './workloads/repo.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKLOADS = ['folder', 'history', 'staged', 'lsp', 'redact', 'accuracy', 'org', 'repo'];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    corpus: { type: 'string' },
    repo: { type: 'string', multiple: true, default: [] },
    commits: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    peers: { type: 'string', default: 'rg,secretlint,gitleaks' },
    'peer-timeout': { type: 'string', default: '600' },
    out: { type: 'string', default: join(REPO_ROOT, 'docs', 'benchmarks.md') },
    build: { type: 'boolean', default: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowNegative: true,
});

if (values.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 9).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}

const only = values.only ? values.only.split(',').map((s) => s.trim()) : WORKLOADS.filter((w) => w !== 'repo' || values.repo.length > 0);
for (const w of only) if (!WORKLOADS.includes(w)) {
  process.stderr.write(`bench: unknown workload "${w}" (use ${WORKLOADS.join(', ')})\n`);
  process.exit(2);
}
if (only.includes('repo') && values.repo.length === 0) {
  process.stderr.write('bench: the repo workload needs --repo PATH (a checkout or a bare repository)\n');
  process.exit(2);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) {
  process.stderr.write('bench: --runs must be a whole number ≥ 3 (medians of at least three runs)\n');
  process.exit(2);
}
const log = (msg) => process.stderr.write(`${msg}\n`);

mkdirSync(CACHE_DIR, { recursive: true });
// Every Tokenward process measured here keeps its parsed-rules cache in the bench cache: warm
// after the warm-up run, as on a developer's machine, and out of reach of other work on a shared
// machine (test runs write rule sets of their own and could evict it mid-benchmark).
process.env.TOKENWARD_CACHE_DIR ??= join(CACHE_DIR, 'tokenward-cache');
if (values.build) {
  log('building (tsc -b)…');
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    log('bench: the build failed; fix it or pass --no-build to measure the last build');
    process.exit(2);
  }
}
ensureGnuTime(log);
// Pre-commit figures are for what users install: the published package's bundled CLI
// (packages/tokenward/build.mjs), built into the repository's .cache so its dependencies resolve.
const shipped = join(REPO_ROOT, '.cache', 'bench-shipped');
{
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'packages', 'tokenward', 'build.mjs'), '--outdir', shipped], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    log('bench: bundling the CLI failed');
    process.exit(2);
  }
}

const ctx = {
  repoRoot: REPO_ROOT,
  cacheDir: CACHE_DIR,
  cli: join(REPO_ROOT, 'packages', 'cli', 'bin', 'tokenward.js'),
  /** The bin of the published `tokenward` package, running its bundle (pre-commit figures). */
  shippedCli: join(shipped, 'bin', 'tokenward.js'),
  runs,
  peers: new Set(values.peers.split(',').map((s) => s.trim()).filter(Boolean)),
  peerTimeoutMs: Number(values['peer-timeout']) * 1000,
  corpus: values.corpus ? resolve(values.corpus) : undefined,
  // The synthetic history workload measures the first --repo when given (as before).
  repo: values.repo[0] ? resolve(values.repo[0]) : undefined,
  repos: values.repo.map((r) => resolve(r)),
  commits: Number(values.commits),
  log,
  versions: { node: process.version, git: toolVersion('git') },
  rg: undefined,
  npmPeers: undefined,
};
if (only.includes('folder') || only.includes('repo')) {
  if (ctx.peers.has('rg')) ctx.rg = ensureRipgrep(log);
  if (ctx.peers.has('secretlint') || ctx.peers.has('gitleaks')) ctx.npmPeers = ensureNpmPeers(log);
}
{
  // Named in the machine line even when this run has no folder workload (its section may be kept).
  const rg = ctx.rg ?? spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (rg) ctx.versions.ripgrep = toolVersion(rg);
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no', 'packages'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim() ? ' (with uncommitted changes)' : '';
const today = new Date().toISOString().slice(0, 10);
// Results of every workload are kept beside the document, so `--only history` refreshes that
// section and keeps the others (each says when and on which commit it was measured).
const resultsFile = values.out.replace(/\.md$/, '') + '.json';
let previous = {};
try {
  previous = JSON.parse(readFileSync(resultsFile, 'utf8')).workloads ?? {};
} catch { /* first run */ }

const results = {};
const started = Date.now();
/** Runs one workload into results[key]; a failure becomes its section instead of ending the run. */
async function measure(key, title, fn) {
  try {
    const { markdown, targets: t } = await fn();
    results[key] = { markdown, targets: t, date: today, commit: `${commit}${dirty}` };
  } catch (e) {
    log(`bench: ${key} failed: ${e.stack ?? e}`);
    results[key] = { markdown: `## ${title}\n\nThe workload failed in this run: \`${String(e.message ?? e).split('\n')[0]}\`\n`, targets: [], date: today, commit: `${commit}${dirty}` };
  }
}
for (const name of WORKLOADS) {
  if (!only.includes(name)) continue;
  log(`\n== ${name} ==`);
  if (name === 'repo') {
    // One result per repository (keyed by its path), so a run with one --repo keeps the others.
    for (const r of ctx.repos) await measure(`repo ${r}`, `Real repository: ${r}`, () => repoWorkload(ctx, r));
    continue;
  }
  const fn = { folder: folderWorkload, history: historyWorkload, staged: stagedWorkload, lsp: lspWorkload, redact: redactWorkload, accuracy: accuracyBenchWorkload, org: orgWorkload }[name];
  await measure(name, name, () => fn(ctx));
}
// Results of the repo workload from before it was kept per repository.
if (ctx.repos.length > 0) delete previous.repo;

const sections = [];
const targets = [];
const merged = { ...previous, ...results };
const keysOf = (name) => (name === 'repo' ? Object.keys(merged).filter((k) => k === 'repo' || k.startsWith('repo ')) : [name]);
for (const key of WORKLOADS.flatMap(keysOf)) {
  const r = merged[key];
  if (!r) continue;
  const earlier = !results[key];
  sections.push(earlier ? r.markdown.replace(/^(## .*\n)/, `$1\n_From an earlier run: ${r.date}, Tokenward ${r.commit}._\n`) : r.markdown);
  targets.push(...r.targets.map((t) => (earlier ? { ...t, measured: t.measured ? `${t.measured} (earlier run)` : t.measured } : t)));
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify({ workloads: merged }, null, 2)}\n`);

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const doc = `# Benchmarks

Generated by \`npm run bench\` (\`node scripts/bench/run.mjs\`) on ${today}, Tokenward ${commit}${dirty} (workloads run this time: ${only.join(', ')}; the figures behind it are in \`${resultsFile.split('/').pop()}\`).
Do not edit by hand: run the benchmark again.

**Machine:** ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${ctx.versions.node}, ${ctx.versions.git}${ctx.versions.ripgrep ? `, ${ctx.versions.ripgrep}` : ''}.

**Method:** every command is a whole process (start-up included), run once to warm up, then ${runs} times;
the table shows the median and the spread. Peak RSS is GNU time's maximum resident set size of the
process (worker threads included). Ratios are taken against the floor measured in the same run, on
the same input, with the file cache warm and Tokenward's parsed-rules cache warm (kept in the bench cache). This run took ${fmtMs(Date.now() - started)}. The machine is shared: CPU time is
the steadier figure when other work competes for the cores.

## Targets

${targetsTable(targets)}

${sections.join('\n\n')}
`;
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, doc);
log(`\nwrote ${values.out}`);
process.stdout.write(`${targetsTable(targets)}\n`);
export { fmtMB, fmtRss, existsSync };
