#!/usr/bin/env node
// Guard for speed work: a speed change must not change what is found. Builds (once) a copy of a
// corpus with every rule's positive examples planted at deterministic places, scans it with one
// thread and with workers, and saves or compares the findings (rule, path, offset, fingerprint).
//
// Usage: node scripts/bench/check-findings.mjs --save FILE    (before a change)
//        node scripts/bench/check-findings.mjs --compare FILE (after it; exit 1 on any difference)
//        [--corpus DIR] (default: the project's node_modules) [--files N] (files copied, default 4000)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CACHE_DIR } from './lib/peers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    save: { type: 'string' },
    compare: { type: 'string' },
    corpus: { type: 'string', default: join(ROOT, 'node_modules') },
    files: { type: 'string', default: '4000' },
    rebuild: { type: 'boolean', default: false },
  },
});

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};

const planted = join(CACHE_DIR, 'planted');
if (values.rebuild || !existsSync(join(planted, '.done'))) {
  rmSync(planted, { recursive: true, force: true });
  const all = [];
  const stack = [values.corpus];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) all.push(p);
    }
  }
  const step = Math.max(1, Math.floor(all.length / Number(values.files)));
  const chosen = all.filter((_, i) => i % step === 0);
  for (const f of chosen) {
    const dest = join(planted, relative(values.corpus, f));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(f, dest);
  }
  // Every positive example of every rule, each into a random text file at a random line start.
  const { loadRuleDefinitions } = await import(join(ROOT, 'packages', 'project', 'dist', 'index.js'));
  const examples = loadRuleDefinitions().flatMap((d) => d.examples.positive.map((e) => e.text));
  const textFiles = chosen.map((f) => join(planted, relative(values.corpus, f))).filter((f) => !readFileSync(f).subarray(0, 8000).includes(0));
  for (const ex of examples) {
    const f = textFiles[Math.floor(rand() * textFiles.length)];
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n');
    const at = Math.floor(rand() * (lines.length + 1));
    lines.splice(at, 0, ex);
    writeFileSync(f, lines.join('\n'));
  }
  // One large file so the streamed (chunked) path is covered too.
  const big = [];
  for (let i = 0, size = 0; size < 20 * 1024 * 1024; i++) {
    const line = `line ${i} ${i % 50 === 0 ? examples[i % examples.length] : ''} ${'x'.repeat(200)}`;
    big.push(line);
    size += line.length + 1;
  }
  writeFileSync(join(planted, 'big.log'), big.join('\n'));
  writeFileSync(join(planted, '.done'), `${examples.length} examples\n`);
  process.stderr.write(`planted ${examples.length} examples into ${chosen.length} files under ${planted}\n`);
}

function scan(threads) {
  const out = join(CACHE_DIR, `check-${threads}.json`);
  const r = spawnSync(process.execPath, [join(ROOT, 'packages', 'cli', 'bin', 'tokenward.js'), 'scan', '--no-ignore', '--threads', String(threads), '-f', 'json', '-o', out, planted], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`scan failed (${r.status}): ${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  return report.findings.map((f) => [f.ruleId, f.path, f.line, f.column, f.endLine, f.endColumn, f.confidence, f.fingerprint].join(' ')).sort();
}

const one = scan(1);
const many = scan(2);
if (one.join('\n') !== many.join('\n')) {
  process.stderr.write('findings differ between --threads 1 and --threads 2\n');
  process.exit(1);
}
process.stderr.write(`${one.length} findings\n`);
if (values.save) writeFileSync(values.save, `${one.join('\n')}\n`);
if (values.compare) {
  const before = readFileSync(values.compare, 'utf8').trim().split('\n');
  const gone = before.filter((l) => !one.includes(l));
  const added = one.filter((l) => !before.includes(l));
  if (gone.length || added.length) {
    process.stderr.write(`DIFFERENT: ${gone.length} missing, ${added.length} new\n${gone.slice(0, 10).map((l) => `- ${l}`).join('\n')}\n${added.slice(0, 10).map((l) => `+ ${l}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write('identical to the saved findings\n');
}
