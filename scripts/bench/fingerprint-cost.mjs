#!/usr/bin/env node
// What scrypt fingerprints cost a scan, to choose their cost: scans the CredData corpus in this
// process (one thread, CPU time, fastest of 5) and hashes the distinct secrets it finds with the
// SHA-256 fingerprint of earlier versions and with scrypt at several N (r=8), each as a share of
// the scan. The engine alone is a fraction of a whole `tokenward scan` (start-up, listing, reading,
// reporting), so compare whole runs too before choosing. A benchmark, not a test.
//
// Usage: node scripts/bench/fingerprint-cost.mjs [CORPUS_DIR]   (default: ../shared/corpora/creddata-dev/data)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scryptSync, createHash } from 'node:crypto';
import { compileRules, scanBytes } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
const root = process.argv[2] ?? new URL('../../../shared/corpora/creddata-dev/data', import.meta.url).pathname;
const files = [];
const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else files.push(p); } };
walk(root);
const bufs = files.map((f) => [f, readFileSync(f)]).filter(([, b]) => !b.subarray(0, 8000).includes(0));
const compiled = compileRules(loadRuleDefinitions());
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let secrets;
const res = { scan: [], sha: [] };
const Ns = [128, 256, 512];
for (const N of Ns) res[N] = [];
for (let rep = 0; rep < 5; rep++) {
  let t = cpu();
  const found = [];
  for (const [f, b] of bufs) found.push(...scanBytes(compiled, b, { path: f }));
  res.scan.push(cpu() - t);
  secrets = new Map(found.map((f) => [`${f.ruleId}\0${f.secret}`, f]));
  t = cpu(); for (const f of secrets.values()) createHash('sha256').update('tokenward:v1\0').update(f.ruleId).update('\0').update(f.secret).digest('hex'); res.sha.push(cpu() - t);
  for (const N of Ns) { t = cpu(); for (const f of secrets.values()) scryptSync(f.secret, `tokenward:v2\0${f.ruleId}`, 20, { N, r: 8, p: 1 }); res[N].push(cpu() - t); }
}
const min = (a) => Math.min(...a);
console.log(`files ${bufs.length}, findings' distinct secrets ${secrets.size}`);
console.log(`scan (1 thread, in-process, CPU): min ${min(res.scan).toFixed(0)} ms`);
console.log(`sha256 fingerprints: ${min(res.sha).toFixed(1)} ms`);
for (const N of Ns) console.log(`scrypt N=${N} r=8: ${min(res[N]).toFixed(0)} ms = ${((100 * min(res[N])) / min(res.scan)).toFixed(1)}% of the engine's scan; ${(min(res[N]) / secrets.size).toFixed(3)} ms per secret`);
