/**
 * Super-linearity guard (issue 14): scan time must grow with the input, not with its square.
 *
 * For one trigger (a rule keyword, or a context the engine treats specially) the guard builds a
 * 64 KB input of that trigger repeated in plausible shapes and a 1 MB input that is the same 64 KB
 * sixteen times, scans both and compares the times. A linear scan takes ~16× as long for the 16×
 * input; a quadratic one ~256×. Not a wall-clock threshold: only the ratio is judged, on the
 * fastest of a few runs, with a small absolute floor so microsecond timings cannot make a ratio.
 */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type { CompiledRules, RuleDefinition } from '@tokenward/engine';
import { scanBytes, StreamScanner } from '@tokenward/engine';

export const SMALL = 64 * 1024;
export const LARGE = 1024 * 1024;
/**
 * Fails when time per byte grows more than this between the 64 KB and the 1 MB input (the 1 MB
 * scan takes more than 16 × 8 = 128× the 64 KB one). Linear scans measure 0.7–2× here (caches, GC);
 * every quadratic case of issue 14 measured 15× or more.
 */
export const MAX_PER_BYTE_GROWTH = 8;
/** Timings below this (ms) are noise: the small input is charged at least this much. */
export const FLOOR_MS = 4;

export interface Trigger {
  name: string;
  /** One repetition unit; it is repeated up to SMALL bytes. */
  unit: string;
  /** File path the scan pretends to read (some context stages depend on it). */
  path?: string;
}

/** Deterministic value-shaped strings (no Math.random: a failure must be reproducible). */
export function valueOf(seed: number, length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let s = seed * 2654435761 + 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out += alphabet[(s >>> 8) % alphabet.length];
  }
  return out;
}

const V40 = valueOf(1, 40);
const V600 = valueOf(2, 600, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The shapes a keyword is repeated in: assignments, prefixes, headers, values too long for any window, bare floods. */
export function keywordUnit(keyword: string, examples: readonly string[]): string {
  return [
    `${keyword}=${V40}\n`,
    `${keyword}${V40} `,
    `${keyword}: "${V40}"\n`,
    `"${keyword}": '${V40}',\n`,
    `${keyword}=${V600}\n`,
    `${keyword}${V600}\n`,
    `${keyword} Bearer ${V40}\n`,
    `${keyword}`.repeat(Math.ceil(512 / keyword.length)) + '\n',
    `${keyword}${'-'.repeat(200)}\n`,
    ...examples.map((e) => `${e}\n`),
  ].join('');
}

/** Every folded keyword of the rule set in the line shapes above, with the positive examples of the rules that list it. */
export function keywordTriggers(defs: readonly RuleDefinition[]): Trigger[] {
  const byKeyword = new Map<string, string[]>();
  for (const d of defs) {
    for (const k of d.keywords) {
      const folded = k.toLowerCase();
      const list = byKeyword.get(folded) ?? [];
      byKeyword.set(folded, list);
      list.push(...d.examples.positive.map((e) => e.text).filter((t) => t.toLowerCase().includes(folded)));
    }
  }
  return [...byKeyword].map(([k, examples]) => {
    const original = defs.flatMap((d) => d.keywords).find((x) => x.toLowerCase() === k)!;
    return { name: `keyword ${JSON.stringify(original)}`, unit: keywordUnit(original, examples.slice(0, 4)) };
  });
}

/**
 * Per rule, its keywords one after the other, repeated with no line break or space at all: a
 * pattern that restarts a loop at each occurrence (`-secret(?:-[a-z0-9]+)*` on `-secret-secret…`)
 * reads on to the end of its window each time, so a window as long as the file is quadratic.
 */
export function floodTriggers(defs: readonly RuleDefinition[]): Trigger[] {
  // Detector rules (key stores) have no keywords: they look at whole files, not at a flood of text.
  return defs.filter((d) => d.keywords.length > 0).map((d) => ({ name: `${d.id} keywords flood`, unit: d.keywords.join('') }));
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Inputs for the context stages: whole-document, whole-line and whole-file work. */
export function contextTriggers(): Trigger[] {
  const manifest = (i: number) =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-${i}\ntype: Opaque\ndata:\n  password: ${b64(valueOf(i, 18))}\n  token: ${b64(valueOf(i + 1, 30))}\nstringData:\n  api-key: ${valueOf(i + 2, 24)}\n`;
  return [
    // Issue 14's own inputs (scripts/bench/quadratic-inputs.mjs).
    { name: 'x-finout-secret-key flood', unit: 'x-finout-secret-key' },
    { name: '-secret flood', unit: '-secret' },
    { name: 'kind: Secret lines', unit: 'kind: Secret\n' },
    { name: 'Secret manifests in one YAML document', unit: manifest(1) },
    { name: 'Secret manifests, one document each', unit: `${manifest(2)}---\n` },
    { name: 'data: blocks without a kind', unit: `data:\n  password: ${b64(valueOf(3, 18))}\n` },
    { name: 'Basic authorization headers', unit: `Authorization: Basic ${b64(`admin:${valueOf(4, 14)}`)}\n` },
    { name: 'Bearer authorization headers', unit: `Authorization: Bearer ${valueOf(5, 48)}\r\n` },
    { name: 'secret headers', unit: `X-Api-Key: ${valueOf(6, 32)}\nx-acme-secret-key: ${valueOf(7, 32)}\n` },
    { name: 'percent-encoded URL passwords', unit: `postgres://user:p%40ss%2F${valueOf(8, 12)}@db.example.com/app\n` },
    { name: 'URL query tokens', unit: `GET /cb?code=1&access_token=${valueOf(9, 40)}&state=2 HTTP/1.1\n` },
    { name: 'escaped string values', unit: `password = "p\\u0040ss\\\\${valueOf(10, 12)}"\n` },
    { name: 'inline allow comments', unit: `token=${valueOf(11, 32)} # tokenward:allow\n# tokenward:allow-next-line\nsecret=${valueOf(12, 32)}\n` },
    { name: 'one long line of assignments', unit: `password=${valueOf(13, 20)}; token=${valueOf(14, 32)}; ` },
    { name: 'one long line, no separators', unit: `access_token=${valueOf(15, 32)}` },
    { name: 'JWTs in a log', unit: `access_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${valueOf(16, 60)}.${valueOf(17, 43)}\n` },
    { name: 'long base64 .env values', unit: `APP_SECRET=${valueOf(18, 400, B64)}==\n` },
    { name: 'client id + secret pairs', unit: `FINOUT_CLIENT_ID=${valueOf(19, 36)}\nFINOUT_SECRET_KEY=${valueOf(20, 36)}\n` },
    {
      name: 'private key blocks',
      unit: `-----BEGIN RSA PRIVATE KEY-----\n${(valueOf(21, 64, B64) + '\n').repeat(6)}-----END RSA PRIVATE KEY-----\n`,
    },
    { name: 'JS secret references', path: 'app.js', unit: `const apiToken = "${valueOf(22, 32)}";\nfetch(u, { headers: { Authorization: \`Bearer \${apiToken}\` } });\n` },
    { name: 'JS assignments', path: 'app.ts', unit: `const clientSecret = '${valueOf(23, 32)}';\nconfig.password = process.env.X;\n` },
  ];
}

export function inputOf(unit: string, size: number): Buffer {
  const small = Buffer.from(unit.repeat(Math.ceil(SMALL / unit.length))).subarray(0, SMALL);
  if (size === SMALL) return small;
  return Buffer.concat(Array.from({ length: size / SMALL }, () => small));
}

export type Scan = (bytes: Buffer) => void;

export const wholeScan = (compiled: CompiledRules, path: string): Scan => (bytes) => {
  scanBytes(compiled, bytes, { path });
};

export const streamScan = (compiled: CompiledRules, path: string): Scan => (bytes) => {
  const s = new StreamScanner(compiled, { path }, () => {}, { chunkSize: 256 * 1024 });
  for (let i = 0; i < bytes.length; i += 64 * 1024) s.push(bytes.subarray(i, i + 64 * 1024));
  s.end();
};

function fastest(scan: Scan, bytes: Buffer, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    scan(bytes);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

export interface Growth {
  name: string;
  smallMs: number;
  largeMs: number;
  /** (large time / small time) / (large size / small size): 1 = perfectly linear. */
  perByte: number;
}

/** Measures one trigger. The small input runs a few times (cheap); the large one fewer. */
export function measureGrowth(name: string, scan: Scan, unit: string, runs = { small: 3, large: 1 }): Growth {
  const small = inputOf(unit, SMALL);
  const large = inputOf(unit, LARGE);
  const smallMs = fastest(scan, small, runs.small);
  const largeMs = fastest(scan, large, runs.large);
  const perByte = largeMs / Math.max(smallMs, FLOOR_MS) / (LARGE / SMALL);
  return { name, smallMs, largeMs, perByte };
}

/** Growth of every trigger; a trigger over the limit is measured again, more carefully, once. */
export function superLinear(scan: (t: Trigger) => Scan, triggers: readonly Trigger[]): { worst: Growth[]; failures: Growth[] } {
  const all: Growth[] = [];
  const failures: Growth[] = [];
  for (const t of triggers) {
    let g = measureGrowth(t.name, scan(t), t.unit);
    if (g.perByte > MAX_PER_BYTE_GROWTH) g = measureGrowth(t.name, scan(t), t.unit, { small: 5, large: 3 });
    all.push(g);
    if (g.perByte > MAX_PER_BYTE_GROWTH) failures.push(g);
  }
  return { worst: all.sort((a, b) => b.perByte - a.perByte).slice(0, 8), failures };
}

export const describeGrowth = (g: Growth): string =>
  `${g.name}: 64 KB ${g.smallMs.toFixed(1)} ms, 1 MB ${g.largeMs.toFixed(1)} ms, per-byte growth ${g.perByte.toFixed(2)}×`;
