#!/usr/bin/env node
// Language-server latency for a 1,000-line file: starts `tokenward lsp --stdio` (the built CLI),
// opens a generated source file holding a few tokens, then types: N incremental edits, each
// followed by the diagnostics for that version. Reports the server's own analysis time per
// version (scan + suppression + diagnostics; from the `tokenward/documentStats` request) and the
// client-side round trip (edit sent → diagnostics received, debounce set to 0).
// Budget: ≤ 5 ms of server time (median). A benchmark, not a test: it never fails on time.
//
// Usage: node scripts/bench-lsp.mjs [--lines 1000] [--edits 200] [--json]
//   --json  also print a one-line JSON summary last ({ medianMs, p95Ms, ... }) for npm run bench
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { base62, crc32 } from '@tokenward/engine';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO_ROOT, 'packages/cli/bin/tokenward.js');
const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000' }, edits: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } },
});
const LINES = Number(values.lines);
const EDITS = Number(values.edits);

// Deterministic pseudo-random text so runs are comparable.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const ALPHA = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomText = (n) => Array.from({ length: n }, () => ALPHA[Math.floor(rand() * 62)]).join('');
const ghToken = () => {
  const body = randomText(30);
  return `ghp_${body}${base62(crc32(body), 6)}`;
};

/** A TypeScript-like file: imports, functions, config objects, URLs, comments; tokens on 3 lines. */
function makeFile(lines) {
  const out = [];
  const templates = [
    (i) => `import { helper${i} } from './module-${i % 37}.js';`,
    (i) => `export function compute${i}(input: number[]): number { return input.reduce((a, b) => a + b * ${i}, 0); }`,
    (i) => `  const url${i} = 'https://api.example.com/v1/items/${i}?page=' + page + '&token=' + session.id;`,
    (i) => `  // TODO(${i}): handle the retry path when the upstream answers 429 with a Retry-After header`,
    (i) => `  headers: { Authorization: \`Bearer \${process.env.API_TOKEN}\`, 'X-Request-Id': '${randomText(24)}' },`,
    (i) => `  logger.info('processed %d records for tenant %s', count${i}, tenant.name);`,
    (i) => `const config${i} = { timeoutMs: ${i * 10}, retries: 3, endpoint: "https://service-${i}.internal" };`,
    () => `  const checksum = '${randomText(40)}';`,
  ];
  for (let i = 0; i < lines; i++) out.push(templates[i % templates.length](i));
  for (const at of [Math.floor(lines * 0.1), Math.floor(lines * 0.5), Math.floor(lines * 0.9)]) out[at] = `const githubToken${at} = "${ghToken()}";`;
  return `${out.join('\n')}\n`;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (sorted) => (sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'tw-bench-lsp-'));
  const child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const w = waiting.get(p.version);
    if (w) {
      waiting.delete(p.version);
      w(p);
    }
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  try {
    const rootUri = pathToFileURL(root).href;
    const startedAt = performance.now();
    await conn.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'bench' }], capabilities: {}, initializationOptions: { settings: { debounceMs: 0 } } });
    await conn.sendNotification('initialized', {});
    const startupMs = performance.now() - startedAt;
    const uri = `${rootUri}/bench.ts`;
    const text = makeFile(LINES);
    const diagnosticsOf = (version) => new Promise((r) => waiting.set(version, r));

    let version = 1;
    let got = diagnosticsOf(version);
    const openStart = performance.now();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version, text } });
    const first = await got;
    const openRoundTrip = performance.now() - openStart;
    const openServer = (await conn.sendRequest('tokenward/documentStats', { uri })).analysisMs;
    const findings = first.diagnostics.length;

    const server = [];
    const roundTrip = [];
    const lineCount = text.split('\n').length - 1;
    for (let i = 0; i < EDITS; i++) {
      version++;
      got = diagnosticsOf(version);
      // Type one character somewhere in the file (as a user would, anywhere).
      const line = Math.floor(rand() * lineCount);
      const t0 = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: 'x' }] });
      const p = await got;
      roundTrip.push(performance.now() - t0);
      if (p.diagnostics.length !== findings) throw new Error(`version ${version}: ${p.diagnostics.length} diagnostics, expected ${findings}`);
      server.push((await conn.sendRequest('tokenward/documentStats', { uri })).analysisMs);
    }
    server.sort((a, b) => a - b);
    roundTrip.sort((a, b) => a - b);
    const summary = {
      lines: LINES,
      bytes: Buffer.byteLength(text),
      findings,
      edits: EDITS,
      medianMs: median(server),
      p95Ms: pct(server, 95),
      maxMs: server[server.length - 1],
      roundTripMedianMs: median(roundTrip),
      roundTripP95Ms: pct(roundTrip, 95),
      openServerMs: openServer,
      openRoundTripMs: openRoundTrip,
      startupMs,
      budgetMs: 5,
      withinBudget: median(server) <= 5,
    };
    const f = (n) => n.toFixed(2);
    process.stdout.write(
      [
        `LSP diagnostics, ${LINES}-line file (${(summary.bytes / 1024).toFixed(0)} KiB, ${findings} tokens), ${EDITS} incremental edits, debounce 0:`,
        `  server time per version (scan + suppression + diagnostics): median ${f(summary.medianMs)} ms, p95 ${f(summary.p95Ms)} ms, max ${f(summary.maxMs)} ms  (budget ≤ 5 ms: ${summary.withinBudget ? 'met' : 'NOT met'})`,
        `  round trip (didChange sent → publishDiagnostics received): median ${f(summary.roundTripMedianMs)} ms, p95 ${f(summary.roundTripP95Ms)} ms`,
        `  first open: server ${f(openServer)} ms, round trip ${f(openRoundTrip)} ms; server start + initialize ${f(startupMs)} ms`,
        '',
      ].join('\n'),
    );
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await Promise.race([conn.sendRequest('shutdown').catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    conn.sendNotification('exit').catch(() => {});
    await new Promise((r) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 3000);
      child.once('exit', () => { clearTimeout(t); r(); });
    });
    conn.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench-lsp: ${e.stack ?? e}\n`);
  process.exit(1);
});
