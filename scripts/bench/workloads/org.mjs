// Organisation scanning: repositories per minute on the BullMQ queue with 1 and 2 worker processes
// (concurrency 1 each) on the same local set of repositories (file:// clones, fresh mirrors every
// run), and in-process (`org scan`) for comparison; then what Redis holds per repository
// (MEMORY USAGE of each key), which is what a 10,000-repository organisation costs.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { base62, crc32 } from '../../../packages/engine/dist/index.js';
import { median } from '../lib/measure.mjs';
import { fmtMs } from '../lib/report.mjs';

const REPOS = 40;
const COMMITS = 60;

/** 40 repositories of 60 commits (3 files of prose each), one token in each, built once. */
function repositorySet(ctx) {
  const root = join(ctx.cacheDir, `org-set-${REPOS}x${COMMITS}`);
  const marker = join(root, 'built');
  const urls = Array.from({ length: REPOS }, (_, i) => pathToFileURL(join(root, `repo-${String(i).padStart(2, '0')}`)).href);
  if (existsSync(marker)) return { root, urls };
  rmSync(root, { recursive: true, force: true });
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < REPOS; i++) {
    const dir = join(root, `repo-${String(i).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    const parts = [];
    let t = 1_650_000_000;
    for (let c = 0; c < COMMITS; c++) {
      t += 3600;
      const msg = `change ${c}`;
      parts.push(`commit refs/heads/main\ncommitter Bench <bench@example.com> ${t} +0000\ndata ${msg.length}\n${msg}\n`);
      for (let f = 0; f < 3; f++) {
        let body = Array.from({ length: 30 }, (_, l) => `Section ${c}.${f}.${l}: the service reads its settings at start-up and logs to the standard output.`).join('\n') + '\n';
        if (c === COMMITS / 2 && f === 0) {
          // A GitHub-format token with a valid checksum (made here, deterministic per repository).
          const tokenBody = Array.from({ length: 30 }, (_, k) => alphabet[(i * 7 + k * 13) % 62]).join('');
          body += `GITHUB_TOKEN=ghp_${tokenBody}${base62(crc32(tokenBody), 6)}\n`;
        }
        parts.push(`M 100644 inline docs/file-${f}.md\ndata ${Buffer.byteLength(body)}\n${body}\n`);
      }
      parts.push('\n');
    }
    execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: parts.join(''), stdio: ['pipe', 'ignore', 'pipe'] });
  }
  writeFileSync(marker, '');
  return { root, urls };
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 || code === 1 ? resolve(err) : reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${err.slice(-800)}`))));
  });
}

export async function orgWorkload(ctx) {
  const target = { name: 'Organisation scan rate (queue, 1 and 2 workers)', goal: 'measured' };
  const { root, urls } = repositorySet(ctx);
  const work = mkdtempSync(join(tmpdir(), 'tw-bench-org-'));
  const list = join(work, 'repos.txt');
  writeFileSync(list, `${urls.join('\n')}\n`);
  const port = await freePort();
  const redisDir = join(work, 'redis');
  mkdirSync(redisDir);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, lazyConnect: true });
  client.on('error', () => {}); // refused until redis-server listens: retried below
  for (let i = 0; i < 200; i++) {
    try {
      await client.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const queue = `redis://127.0.0.1:${port}`;
  const tw = (args) => run(process.execPath, [ctx.cli, ...args], { cwd: work });
  const rows = [];
  const load = [loadavg()[0]];
  let memory;
  try {
    for (const workers of [1, 2]) {
      const wall = [];
      const busy = [];
      for (let r = 0; r < ctx.runs; r++) {
        await client.flushall();
        rmSync(join(work, 'cache'), { recursive: true, force: true });
        await tw(['org', 'enqueue', '--queue', queue, '--repos', list]);
        const started = Date.now();
        await Promise.all(Array.from({ length: workers }, () => tw(['worker', '--queue', queue, '--concurrency', '1', '--exit-when-drained', '--no-config', '--cache', join(work, 'cache')])));
        wall.push(Date.now() - started);
        // Job timestamps: first job started → last job finished, without process start-up.
        const ids = await client.zrange('bull:tokenward-org:completed', 0, -1);
        if (ids.length !== REPOS) throw new Error(`${ids.length} of ${REPOS} jobs completed`);
        let first = Infinity;
        let last = 0;
        for (const id of ids) {
          const [p, f] = await client.hmget(`bull:tokenward-org:${id}`, 'processedOn', 'finishedOn');
          first = Math.min(first, Number(p));
          last = Math.max(last, Number(f));
        }
        busy.push(last - first);
        ctx.log(`  ${workers} worker(s), run ${r + 1}: ${fmtMs(wall.at(-1))} wall, ${fmtMs(busy.at(-1))} from first job to last`);
      }
      rows.push({ label: `queue, ${workers} worker${workers > 1 ? 's' : ''}`, wall: median(wall), busy: median(busy), min: Math.min(...wall), max: Math.max(...wall) });
    }
    memory = await measureMemory(client);
    for (const concurrency of [1, 2]) {
      const wall = [];
      for (let r = 0; r < ctx.runs; r++) {
        rmSync(join(work, 'local'), { recursive: true, force: true });
        const started = Date.now();
        await tw(['org', 'scan', '--repos', list, '--concurrency', String(concurrency), '--no-config', '--cache', join(work, 'local'), '-o', join(work, 'local.json')]);
        wall.push(Date.now() - started);
      }
      rows.push({ label: `in-process (org scan --concurrency ${concurrency})`, wall: median(wall), min: Math.min(...wall), max: Math.max(...wall) });
    }
    load.push(loadavg()[0]);
  } finally {
    client.disconnect();
    redis.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
  const perMin = (ms) => (REPOS * 60_000) / ms;
  const [one, two] = rows;
  const speedup = one.busy / two.busy;
  target.measured = `${perMin(one.busy).toFixed(0)} repositories/minute with 1 worker, ${perMin(two.busy).toFixed(0)} with 2 (${speedup.toFixed(2)}×); Redis ${memory.total.toFixed(0)} B per repository`;
  const table = [
    '| Mode | Wall (median, start-up included) | Min – max | Repositories/minute (wall) | First job → last job | Repositories/minute (jobs) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | **${fmtMs(r.wall)}** | ${fmtMs(r.min)} – ${fmtMs(r.max)} | ${perMin(r.wall).toFixed(0)} | ${r.busy ? fmtMs(r.busy) : '—'} | ${r.busy ? `**${perMin(r.busy).toFixed(0)}**` : '—'} |`),
  ].join('\n');
  const m = memory;
  const markdown = `## Organisation scan (queue and in-process)

Input: ${REPOS} repositories of ${COMMITS} commits (3 files of about 3 KB changed in each commit, one token each), cloned over
\`file://\` into fresh bare mirrors on every run (the network is not measured). Queue: a local redis-server, \`tokenward org
enqueue\`, then 1 or 2 \`tokenward worker --concurrency 1 --exit-when-drained\` processes. ${ctx.runs} runs each.
Each job is CPU work (git clone, git log, cat-file, the scan), so a second worker gains what a free core gives: the machine's
1-minute load average was ${load[0].toFixed(1)} at the start and ${load[1].toFixed(1)} at the end of this run (${cpus().length} cores, shared).

${table}

**Redis per repository** (after a run; \`MEMORY USAGE\` of each key, averages over the ${REPOS} repositories):

| What | Bytes |
| --- | --- |
| result hash \`tw:…:repo:<id>\` (state: tips, HEAD, counts, status) | ${m.repo.toFixed(0)} |
| findings hash \`tw:…:findings:<id>\` (only for repositories with findings; here ${m.findingsPerRepo.toFixed(1)} per repository) | ${m.findings.toFixed(0)} |
| BullMQ job hash \`bull:…:<job id>\` (kept 7 days after completion) | ${m.job.toFixed(0)} |
| share of the queue's sets, event stream and metrics | ${m.shared.toFixed(0)} |
| **total** | **${m.total.toFixed(0)}** |
| \`INFO memory\` used_memory growth ÷ repositories (cross-check) | ${m.usedPerRepo.toFixed(0)} |

At 10,000 repositories that is about ${((m.total * 10_000) / 2 ** 20).toFixed(0)} MiB of Redis (${((m.repo + m.findings) * 10_000 / 2 ** 20).toFixed(0)} MiB of it the results that stay; the job hashes expire after a week).
`;
  return { markdown, targets: [target] };
}

async function measureMemory(client) {
  const keys = await client.keys('*');
  const size = async (k) => Number(await client.memory('USAGE', k, 'SAMPLES', '0')) || 0;
  let repo = 0;
  let findings = 0;
  let findingKeys = 0;
  let findingsCount = 0;
  let job = 0;
  let shared = 0;
  for (const k of keys) {
    const b = await size(k);
    if (k.includes(':repo:')) repo += b;
    else if (k.includes(':findings:')) {
      findings += b;
      findingKeys++;
      findingsCount += await client.hlen(k);
    } else if (/^bull:tokenward-org:[0-9a-f]{20}-[0-9a-f]{16}$/.test(k)) job += b;
    else shared += b;
  }
  const info = await client.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)[1]);
  await client.flushall();
  const empty = Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
  const n = REPOS;
  const m = { repo: repo / n, findings: findings / n, job: job / n, shared: shared / n, findingsPerRepo: findingsCount / Math.max(1, findingKeys) * (findingKeys / n), usedPerRepo: (used - empty) / n };
  m.total = m.repo + m.findings + m.job + m.shared;
  return m;
}
