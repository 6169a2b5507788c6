#!/usr/bin/env node
// Writes the inputs of issue 14's "hangs on ordinary files" report into a folder, so scan time
// can be measured with whole processes before and after a change:
//   node scripts/bench/quadratic-inputs.mjs /tmp/q && time node packages/cli/bin/tokenward.js scan /tmp/q/jwt-1mb.log
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'quadratic-inputs';
mkdirSync(dir, { recursive: true });

// Deterministic pseudo-random so every run writes the same bytes.
let seed = 14;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const pick = (set, n) => Array.from({ length: n }, () => set[Math.floor(rand() * set.length)]).join('');

function fill(size, line) {
  const parts = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const l = line(i);
    parts.push(l);
    n += l.length;
  }
  return parts.join('').slice(0, size);
}

const jwt = () => `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${pick(URL64, 60)}.${pick(URL64, 43)}`;
const jwtLog = fill(1 << 20, () => `access_token=${jwt()}\n`);
const files = {
  'jwt-1mb.log': jwtLog,
  // The language server's case: a 512 KB log open in the editor.
  'jwt-512kb.log': jwtLog.slice(0, jwtLog.lastIndexOf('\n', 512 << 10) + 1),
  'base64-256kb.env': fill(256 << 10, () => `APP_SECRET=${pick(B64, 400)}==\n`),
  'kind-secret-512kb.yaml': fill(512 << 10, () => 'kind: Secret\n'),
  'finout-256kb.txt': fill(256 << 10, () => 'x-finout-secret-key'),
  'dash-secret-256kb.txt': fill(256 << 10, () => '-secret'),
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
console.log(`wrote ${Object.keys(files).length} files to ${dir}`);
