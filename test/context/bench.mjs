// Folder-scan throughput with and without the context-only (generic) rules, in one process:
//   node test/context/bench.mjs DIR [rounds]
// Prints MB/s for both rule sets (best of N rounds) so the cost of generic detection is measured
// apart from whatever else changed in the tree. Not a test: speed is measured, never asserted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileRules, scanBytes } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';

const dir = process.argv[2];
const rounds = Number(process.argv[3] ?? 5);
if (!dir) throw new Error('usage: node test/context/bench.mjs DIR [rounds]');
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && statSync(p).size <= 16 * 1024 * 1024) {
      const b = readFileSync(p);
      if (!b.subarray(0, 8000).includes(0)) files.push([p, b]);
    }
  }
};
walk(dir);
const bytes = files.reduce((n, [, b]) => n + b.length, 0);
const defs = loadRuleDefinitions();
const sets = {
  'without generic': compileRules(defs.filter((d) => !(d.tags ?? []).includes('generic'))),
  'with generic': compileRules(defs),
};
// CPU time, not wall time (the machine is shared), and the two sets interleaved round by round so
// background load hits both alike; the best round of each counts.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const best = Object.fromEntries(Object.keys(sets).map((k) => [k, Infinity]));
const found = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, compiled] of Object.entries(sets)) {
    const t = cpuMs();
    let findings = 0;
    for (const [path, b] of files) findings += scanBytes(compiled, b, { path }).length;
    best[name] = Math.min(best[name], cpuMs() - t);
    found[name] = findings;
  }
}
for (const name of Object.keys(sets)) {
  console.log(`${name}: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB, best ${best[name].toFixed(0)} ms CPU = ${(bytes / 1e3 / best[name]).toFixed(0)} MB/s, ${found[name]} findings`);
}
const [a, b] = Object.values(best);
console.log(`generic rules cost: ${(((b - a) / a) * 100).toFixed(1)}% more CPU time`);
