// Where Tokenward's time goes: one extra single-threaded run under `node --cpu-prof`, its samples
// grouped into the phases the speed work cares about. Printed under the folder table, so the doc
// explains its own gaps from the same build that produced the figures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Phase of a sample: the innermost matching frame on its stack decides. Order = priority. */
const PHASES = [
  ['JS/TS syntax tree (context stage)', (fn, url) => fn === 'analyzeJs' || /typescript-estree|scope-manager|\/typescript\/lib\//.test(url)],
  ['other context checks', (fn) => fn === 'applyContext'],
  ['keyword prefilter', (fn, url) => fn === 'scan' && url.includes('prefilter')],
  ['rule regexes in windows', (fn) => fn === 'matchWindow'],
  ['scan bookkeeping (windows, positions, findings)', (fn) => fn === 'scanBytes'],
  ['file reads (open/stat/read/close)', (fn) => ['read', 'open', 'close', 'stat', 'fstat', 'readSync', 'openSync', 'closeSync', 'statSync'].includes(fn)],
  ['directory listing', (fn) => fn === 'listFiles' || fn === 'readdir'],
  ['rule loading and compilation', (fn) => fn === 'loadRules' || fn === 'compileRules'],
  // After the scanning phases: a blob scanned inside cat-file's answer callback counts as scanning.
  // (By name too: in the published bundle the git module is one chunk among others.)
  ['git processes and their output (spawn, wait, parse)', (fn, url) => fn === 'spawnSync' || fn === 'ChildProcess.spawn' || ['runGit', 'gitSync', 'runGitAsync', 'gitAsync', 'CatFileBatch'].includes(fn) || /\/sources\/dist\/(git[^/]*|history-state)\.js$/.test(url)],
  ['module loading', (fn, url) => /^node:internal\/modules|cjs\/loader|esm\//.test(url) || fn === 'wrapSafe' || fn === 'compileSourceTextModule'],
  ['garbage collection', (fn) => fn === '(garbage collector)'],
];

export function profileRun(args, cwd) {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-prof-'));
  try {
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], { cwd, stdio: 'ignore' });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return undefined;
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const selfUs = new Map();
    p.samples.forEach((s, i) => selfUs.set(s, (selfUs.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
    const phaseUs = new Map();
    let total = 0;
    for (const [id, us] of selfUs) {
      const leaf = byId.get(id).callFrame.functionName;
      if (leaf === '(idle)' || leaf === '(program)') continue;
      total += us;
      let phase = 'other';
      // Walk from the leaf up: the first frame matching a phase (in priority order) wins.
      outer: for (const [name, test] of PHASES) {
        for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
          const { functionName, url } = byId.get(cur).callFrame;
          if (test(functionName, url)) {
            phase = name;
            break outer;
          }
        }
      }
      phaseUs.set(phase, (phaseUs.get(phase) ?? 0) + us);
    }
    return { totalMs: total / 1000, phases: [...phaseUs].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function profileTable(prof) {
  const lines = ['| Phase | CPU | Share |', '| --- | --- | --- |'];
  for (const ph of prof.phases) lines.push(`| ${ph.name} | ${ph.ms.toFixed(0)} ms | ${((100 * ph.ms) / prof.totalMs).toFixed(0)} % |`);
  return lines.join('\n');
}
