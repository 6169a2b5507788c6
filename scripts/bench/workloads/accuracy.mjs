// Accuracy on the shared CredData development split: scans ../shared/corpora/creddata-dev/data
// (beside the repository, as CI lays it out) with every confidence level, runs the corpus's own
// score.mjs, and breaks recall and false positives down by kind from labels.jsonl categories.
// Usage: node scripts/bench/workloads/accuracy.mjs  (or npm run bench -- --only accuracy)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpora', 'creddata-dev');

// Same order as the corpus README: a row counts in the first group one of its `:`-joined
// category names falls in; a name outside the generic sets is a vendor rule.
const GENERIC = new Set(['Secret', 'Key', 'Token', 'API', 'Auth', 'Credential', 'Credentials']);
const NONCE = new Set(['Nonce', 'Salt']);
const groupOf = (cat) => {
  const names = cat.split(':');
  const any = (f) => names.some(f);
  if (any((n) => /Private Key/i.test(n))) return 'private keys';
  if (any((n) => /Authorization/i.test(n))) return 'auth headers';
  if (any((n) => /URL/i.test(n))) return 'URL credentials';
  if (any((n) => /JSON Web Token|JWT/i.test(n))) return 'JWT';
  if (any((n) => !GENERIC.has(n) && !NONCE.has(n) && n !== 'UUID' && !/Password/i.test(n))) return 'vendor';
  if (any((n) => /Password/i.test(n))) return 'passwords';
  if (any((n) => GENERIC.has(n))) return 'generic keys';
  if (any((n) => NONCE.has(n))) return 'nonce/salt';
  return 'UUID';
};

export function accuracyWorkload() {
  if (!existsSync(join(CORPUS, 'labels.jsonl'))) throw new Error(`accuracy: corpus not found at ${CORPUS}`);
  const out = join(mkdtempSync(join(tmpdir(), 'tw-acc-')), 'report.sarif');
  const bin = join(REPO_ROOT, 'packages', 'cli', 'bin', 'tokenward.js');
  const scan = spawnSync(process.execPath, [bin, 'scan', '--no-ignore', '--no-config', '--no-baseline', '--min-confidence', 'low', '-f', 'sarif', '-o', out, 'data'], { cwd: CORPUS, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (scan.status !== 0 && scan.status !== 1) throw new Error(`accuracy: scan failed (${scan.status}): ${scan.stderr}`);
  const score = spawnSync(process.execPath, [join(CORPUS, 'score.mjs'), '--labels', join(CORPUS, 'labels.jsonl'), '--findings', out, '--format', 'sarif', '--root', join(CORPUS, 'data'), '--json'], { encoding: 'utf8' });
  const total = JSON.parse(score.stdout);
  // Per kind: lines with findings joined with labels.
  const sarif = JSON.parse(readFileSync(out, 'utf8'));
  const hit = new Set();
  for (const run of sarif.runs) for (const r of run.results ?? []) {
    if (r.suppressions?.length) continue;
    const loc = r.locations?.[0]?.physicalLocation;
    let uri = decodeURIComponent(loc?.artifactLocation?.uri ?? '').replace(/^file:\/\//, '').replace(/^(\.\/)?data\//, '');
    if (uri.startsWith(join(CORPUS, 'data') + '/')) uri = uri.slice(join(CORPUS, 'data').length + 1);
    hit.add(`${uri}:${loc?.region?.startLine}`);
  }
  const labels = readFileSync(join(CORPUS, 'labels.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const tLines = new Map();
  for (const l of labels) if (l.truth === 'T') for (let n = l.line; n <= l.line_end; n++) tLines.set(`${l.file}:${n}`, true);
  const kinds = {};
  const k = (g) => (kinds[g] ??= { t: 0, found: 0, fp: 0 });
  for (const l of labels) {
    const g = groupOf(l.category ?? '');
    if (l.truth === 'T') {
      k(g).t++;
      for (let n = l.line; n <= l.line_end; n++) if (hit.has(`${l.file}:${n}`)) { k(g).found++; break; }
    } else if (l.truth === 'F') {
      const key = `${l.file}:${l.line}`;
      if (hit.has(key) && !tLines.has(key)) { k(g).fp++; hit.delete(key); }
    }
  }
  return { total, kinds };
}

export function accuracyMarkdown({ total, kinds }) {
  const f = (x) => (typeof x === 'number' ? x.toFixed(3) : String(x));
  const rows = Object.entries(kinds).map(([g, v]) => `| ${g} | ${v.t} | ${v.found} | ${f(v.t ? v.found / v.t : 0)} | ${v.fp} |`);
  return [`precision ${f(total.precision)}, recall ${f(total.recall)}, recall without bare UUIDs ${f(total.recallNoUuid)}, F1 without bare UUIDs ${f(total.f1NoUuid)} (tp ${total.tp}, fp ${total.fp}, findings ${total.findings})`, '',
    '| kind | T rows | found | recall | FP (F lines) |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

/** The `npm run bench` workload: a section of docs/benchmarks.md and the target row. */
export async function accuracyBenchWorkload(ctx) {
  const r = accuracyWorkload();
  ctx.log(accuracyMarkdown(r));
  const { precision, f1NoUuid } = r.total;
  const met = f1NoUuid >= 0.85 && precision >= 0.9;
  const target = {
    name: 'CredData dev: F1 without bare UUIDs at precision ≥ 0.90',
    goal: '≥ 0.85',
    measured: `${f1NoUuid.toFixed(3)} (precision ${precision.toFixed(3)})`,
    met,
    why: 'see the per-kind table: misses are grouped by kind',
  };
  const markdown = `## Accuracy (CredData development split)

Corpus: \`../shared/corpora/creddata-dev\` — 80 public repositories with CredData's line labels (its
README and \`score.mjs\`), scanned with \`tokenward scan --no-ignore --no-config --no-baseline --min-confidence low -f sarif\`
and scored by the corpus's own scorer (a finding on a line labelled T is a true positive, on an F-only
line a false positive). A T row counts in the first kind its CredData category falls in (the README's order).

${accuracyMarkdown(r)}
`;
  return { markdown, targets: [target] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = accuracyWorkload();
  process.stdout.write(`${accuracyMarkdown(r)}\n`);
  if (process.argv.includes('--json')) writeFileSync(process.argv[process.argv.indexOf('--json') + 1], JSON.stringify(r, null, 2));
}
