#!/usr/bin/env node
// Builds a large, realistic git repository for history-scan benchmarks, offline: tens of
// thousands of commits that add, edit and delete real text files taken from folders on this
// machine (node_modules, /usr/include, Python's standard library, …). A few valid-looking GitHub
// tokens are planted and removed again, on the main branch, on side branches and in commit
// messages, so a history scan has something to find.
//
// Usage: node scripts/make-history-repo.mjs [--out DIR] [--commits N] [--seed N] [--max-live-mb N]
//                                          [--source DIR]...
// Default: --out /tmp/tw-history-bench --commits 30000, sources: ./node_modules, /usr/include,
// /usr/lib/python3.11, /usr/lib/node_modules (whichever exist). Built with `git fast-import`
// (seconds, not hours), then `git gc` so the pack has deltas like a real clone.
// Prints the planted tokens' count and the repository's size.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/tw-history-bench' },
    commits: { type: 'string', default: '30000' },
    seed: { type: 'string', default: '7' },
    'max-live-mb': { type: 'string', default: '40' },
    source: { type: 'string', multiple: true, default: [] },
  },
});
const OUT = values.out;
const COMMITS = Number(values.commits);
const MAX_LIVE = Number(values['max-live-mb']) * 1024 * 1024;
const SOURCES = values.source.length
  ? values.source
  : ['node_modules', '/usr/include', '/usr/lib/python3.11', '/usr/lib/node_modules'].filter((d) => existsSync(d));

// Deterministic PRNG (mulberry32) so the same arguments build the same repository.
let seed = Number(values.seed) >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (arr) => arr[Math.floor(rand() * arr.length)];

// --- GitHub-style token with a valid CRC32/base62 checksum (same algorithm as the rules) ---
const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (s) => {
  let c = 0xffffffff;
  for (const ch of Buffer.from(s)) c = CRC[(c ^ ch) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = (n, w) => {
  let o = '';
  do {
    o = B62[n % 62] + o;
    n = Math.floor(n / 62);
  } while (n > 0);
  return o.padStart(w, '0');
};
const token = () => {
  let body = '';
  for (let i = 0; i < 30; i++) body += pick(B62);
  return `ghp_${body}${base62(crc32(body), 6)}`;
};

// --- Source pool: real text files, deterministic order ---
function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}
const pool = [];
for (const src of SOURCES) {
  const files = [];
  walk(src, files);
  for (const f of files) {
    let st;
    try {
      st = statSync(f);
    } catch {
      continue;
    }
    if (st.size === 0 || st.size > 200 * 1024) continue;
    const buf = readFileSync(f);
    if (buf.subarray(0, 8000).includes(0)) continue;
    pool.push({ path: `${src.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_')}/${relative(src, f)}`, text: buf.toString('utf8') });
  }
}
if (pool.length === 0) throw new Error('no source files found');
for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [pool[i], pool[j]] = [pool[j], pool[i]];
}

// --- fast-import stream ---
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
spawnSync('git', ['init', '-q', '-b', 'main', OUT], { stdio: 'inherit' });
const fi = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: OUT, stdio: ['pipe', 'inherit', 'inherit'] });
let pending = [];
let pendingBytes = 0;
async function write(s) {
  pending.push(s);
  pendingBytes += s.length;
  if (pendingBytes > 4 << 20) await flush();
}
async function flush() {
  const chunk = pending.join('');
  pending = [];
  pendingBytes = 0;
  if (!fi.stdin.write(chunk)) await new Promise((r) => fi.stdin.once('drain', r));
}
const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;

const AUTHORS = Array.from({ length: 24 }, (_, i) => `Dev ${String.fromCharCode(65 + (i % 26))}${i} <dev${i}@example.com>`);
let when = Date.UTC(2015, 0, 1) / 1000;
let mark = 0;
let nextPool = 0;
const planted = { files: 0, messages: 0 };

/** One line of history: live file contents on a branch. */
class Line {
  constructor(ref, files = new Map(), tip = 0, bytes = 0) {
    this.ref = ref;
    this.files = files;
    this.tip = tip;
    this.bytes = bytes;
    this.planted = [];
  }
  fork(ref) {
    return new Line(ref, new Map(this.files), this.tip, this.bytes);
  }
}

function editOps(line, i) {
  const ops = [];
  const n = 1 + Math.floor(rand() * 3);
  const paths = () => [...line.files.keys()];
  for (let k = 0; k < n; k++) {
    const r = rand();
    if ((line.bytes < MAX_LIVE && r < 0.45) || line.files.size < 20) {
      const src = pool[nextPool++ % pool.length];
      let path = src.path;
      if (line.files.has(path)) path = `${path}.${i}`;
      line.files.set(path, src.text);
      line.bytes += src.text.length;
      ops.push(['M', path]);
    } else if (r > 0.97 && line.files.size > 50) {
      const path = pick(paths());
      line.bytes -= line.files.get(path).length;
      line.files.delete(path);
      ops.push(['D', path]);
    } else {
      const path = pick(paths());
      const lines = line.files.get(path).split('\n');
      const donor = pick(pool).text.split('\n');
      const at = Math.floor(rand() * lines.length);
      const del = Math.floor(rand() * 4);
      const from = Math.floor(rand() * donor.length);
      const ins = donor.slice(from, from + 1 + Math.floor(rand() * 8));
      lines.splice(at, del, ...ins);
      const text = lines.join('\n');
      line.bytes += text.length - line.files.get(path).length;
      line.files.set(path, text);
      ops.push(['M', path]);
    }
  }
  return ops;
}

async function commit(line, i, ops, message) {
  const author = AUTHORS[i % AUTHORS.length];
  when += 600 + Math.floor(rand() * 7200);
  let out = `commit refs/heads/${line.ref}\nmark :${++mark}\nauthor ${author} ${when} +0000\ncommitter ${author} ${when} +0000\n${data(message)}`;
  if (line.tip) out += `from :${line.tip}\n`;
  // A path edited and then deleted in the same commit ends up deleted: write each path's final state.
  for (const path of new Set(ops.map((o) => o[1]))) {
    const text = line.files.get(path);
    out += text === undefined ? `D ${path}\n` : `M 100644 inline ${path}\n${data(text)}`;
  }
  line.tip = mark;
  await write(out + '\n');
}

const main = new Line('main');
let branches = 0;
for (let i = 0; i < COMMITS; ) {
  // Every 2000 commits a topic branch of 25 commits that is never merged.
  if (i > 0 && i % 2000 === 0) {
    const topic = main.fork(`topic-${++branches}`);
    for (let j = 0; j < 25 && i < COMMITS; j++, i++) {
      const ops = editOps(topic, i);
      if (j === 10) {
        const [, path] = ops.find((o) => o[0] === 'M') ?? ['M', 'topic.env'];
        topic.files.set(path, `${topic.files.get(path) ?? ''}\nTOPIC_TOKEN=${token()}\n`);
        if (!ops.some((o) => o[1] === path)) ops.push(['M', path]);
        planted.files++;
      }
      await commit(topic, i, ops, `topic ${branches}: change ${j}\n`);
    }
    continue;
  }
  const ops = editOps(main, i);
  let message = `Change ${i}: update ${ops.map((o) => o[1].split('/').pop()).join(', ')}\n`;
  if (i % 1500 === 700) {
    // Plant a token in a file, removed again 300 commits later.
    const path = ops.find((o) => o[0] === 'M')?.[1];
    if (path) {
      const secret = token();
      main.files.set(path, `${main.files.get(path)}\nconst apiToken = "${secret}";\n`);
      main.planted.push({ path, secret, removeAt: i + 300 });
      planted.files++;
    }
  }
  for (const p of main.planted.filter((p) => p.removeAt === i && main.files.has(p.path))) {
    main.files.set(p.path, main.files.get(p.path).replace(`\nconst apiToken = "${p.secret}";\n`, '\n'));
    if (!ops.some((o) => o[1] === p.path)) ops.push(['M', p.path]);
  }
  if (i % 5000 === 4321) {
    message += `\nDebug: ran with GITHUB_TOKEN=${token()}\n`;
    planted.messages++;
  }
  await commit(main, i, ops, message);
  i++;
}
await write('done\n');
await flush();
fi.stdin.end();
await new Promise((r, j) => fi.once('exit', (code) => (code === 0 ? r() : j(new Error(`git fast-import exited ${code}`)))));
spawnSync('git', ['gc', '--quiet'], { cwd: OUT, stdio: 'inherit' });
spawnSync('git', ['checkout', '-q', '-f', 'main'], { cwd: OUT, stdio: 'inherit' });
const count = spawnSync('git', ['rev-list', '--all', '--count'], { cwd: OUT }).stdout.toString().trim();
const size = spawnSync('du', ['-sh', join(OUT, '.git')]).stdout.toString().split('\t')[0];
console.log(`${OUT}: ${count} commits, ${branches} topic branches, .git ${size}; planted ${planted.files} tokens in files, ${planted.messages} in commit messages; ${pool.length} source files`);
