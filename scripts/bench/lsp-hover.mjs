#!/usr/bin/env node
// Issue 14's editor symptom, measured: a large log opened in the editor must not block a hover on
// another file. Starts `tokenward lsp --stdio`, opens a small file holding a token, then opens each
// input file and at once asks for a hover on the small file; reports how long the hover took (it
// waits behind the log's scan when the scan is synchronous) and when the log's diagnostics came.
// A benchmark, not a test: it never fails on time.
//
// Usage: node scripts/bench/lsp-hover.mjs [--bin path/to/tokenward.js] [--runs 3] FILE...
//   e.g. node scripts/bench/quadratic-inputs.mjs /tmp/q && node scripts/bench/lsp-hover.mjs /tmp/q/jwt-512kb.log
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { base62, crc32 } from '@tokenward/engine';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values, positionals } = parseArgs({
  options: { bin: { type: 'string', default: join(REPO_ROOT, 'packages/cli/bin/tokenward.js') }, runs: { type: 'string', default: '3' } },
  allowPositionals: true,
});
if (positionals.length === 0) {
  process.stderr.write('usage: lsp-hover.mjs [--bin tokenward.js] [--runs N] FILE...\n');
  process.exit(2);
}

const body = 'q8Zt2LmN4vB7tR1kP9sW3yE6uH0jC5';
const token = `ghp_${body}${base62(crc32(body), 6)}`;
const small = `export const ok = 1;\nconst githubToken = "${token}";\n`;

async function measure(file) {
  const root = mkdtempSync(join(tmpdir(), 'tw-bench-hover-'));
  const child = spawn(process.execPath, [values.bin, 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => diagnostics.get(p.uri)?.(p));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  const diagnosticsOf = (uri) => new Promise((r) => diagnostics.set(uri, r));
  try {
    const rootUri = pathToFileURL(root).href;
    await conn.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'bench' }], capabilities: {}, initializationOptions: { settings: { debounceMs: 0 } } });
    await conn.sendNotification('initialized', {});
    const smallUri = `${rootUri}/small.ts`;
    let got = diagnosticsOf(smallUri);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: smallUri, languageId: 'typescript', version: 1, text: small } });
    await got;
    const logUri = `${rootUri}/${basename(file)}`;
    got = diagnosticsOf(logUri);
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: logUri, languageId: 'log', version: 1, text: readFileSync(file, 'utf8') } });
    const hover = await conn.sendRequest('textDocument/hover', { textDocument: { uri: smallUri }, position: { line: 1, character: 25 } });
    const hoverMs = performance.now() - t0;
    if (!hover) throw new Error('no hover on the token of small.ts');
    const logDiagnostics = await got;
    return { hoverMs, diagnosticsMs: performance.now() - t0, findings: logDiagnostics.diagnostics.length };
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

for (const file of positionals) {
  const runs = [];
  for (let i = 0; i < Number(values.runs); i++) runs.push(await measure(file));
  runs.sort((a, b) => a.hoverMs - b.hoverMs);
  const mid = runs[Math.floor(runs.length / 2)];
  process.stdout.write(
    `${basename(file)} (${(readFileSync(file).length / 1024).toFixed(0)} KiB): hover on another file ${mid.hoverMs.toFixed(0)} ms ` +
      `(median of ${runs.length}; min ${runs[0].hoverMs.toFixed(0)}, max ${runs[runs.length - 1].hoverMs.toFixed(0)}), ` +
      `log diagnostics after ${mid.diagnosticsMs.toFixed(0)} ms, ${mid.findings} findings\n`,
  );
}
