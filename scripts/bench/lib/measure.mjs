// Timing of whole processes: wall time from this process's clock, peak RSS from GNU time
// (getrusage of the child, which covers worker threads; for a process tree it is the largest
// single process, which is what a user's machine has to hold at once).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `cmd args` once with stdout (or a file) as output; resolves with wall ms, peak RSS (KB) and
 * the exit code. `okCodes` lists the exit codes that mean "ran fine" (scanners exit 1 on findings).
 */
export function runOnce(cmd, args, { cwd, env, stdoutFile = '/dev/null', okCodes = [0], timeoutMs = 0, input } = {}) {
  const rssFile = join(tmpdir(), `tw-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const out = openSync(stdoutFile, 'w');
  const errChunks = [];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args], {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', out, 'pipe'],
    });
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs) : undefined;
    if (input !== undefined) child.stdin.end(input);
    child.stderr.on('data', (c) => { if (errChunks.length < 64) errChunks.push(c); });
    child.once('error', (e) => { clearTimeout(timer); closeSync(out); reject(e); });
    child.once('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      closeSync(out);
      let rssKb = NaN;
      let cpuMs = NaN;
      try {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const [rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
        rssKb = rss;
        cpuMs = (user + sys) * 1000;
        rmSync(rssFile, { force: true });
      } catch { /* killed before time wrote it */ }
      const stderr = Buffer.concat(errChunks).toString('utf8');
      if (timedOut) return resolve({ wallMs, rssKb, cpuMs, code, timedOut: true, stderr });
      // GNU time prefixes "Command exited with non-zero status N" to its output file; the code we get is the child's.
      if (!okCodes.includes(code)) {
        return reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${stderr.slice(0, 2000)}`));
      }
      resolve({ wallMs, rssKb, cpuMs, code, timedOut: false, stderr });
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Warm-up run(s) then `runs` timed runs. Returns medians and spreads. A tool that exceeds
 * `timeoutMs` is reported as timed out instead of holding the whole benchmark.
 */
export async function bench(label, cmd, args, { runs = 3, warmup = 1, log = () => {}, ...opts } = {}) {
  for (let i = 0; i < warmup; i++) {
    const w = await runOnce(cmd, args, opts);
    log(`  ${label}: warm-up ${(w.wallMs / 1000).toFixed(2)} s${w.timedOut ? ' (timed out)' : ''}`);
    if (w.timedOut) return { label, timedOut: true, timeoutMs: opts.timeoutMs, runs: [] };
  }
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(cmd, args, opts);
    if (r.timedOut) return { label, timedOut: true, timeoutMs: opts.timeoutMs, runs: results };
    results.push(r);
    log(`  ${label}: run ${i + 1}/${runs} ${(r.wallMs / 1000).toFixed(3)} s, ${(r.rssKb / 1024).toFixed(0)} MB`);
  }
  const walls = results.map((r) => r.wallMs);
  return {
    label,
    timedOut: false,
    runs: results,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    peakRssKb: Math.max(...results.map((r) => r.rssKb)),
    // CPU time (user + system, all threads) is less disturbed than wall time by other load on the machine.
    cpuMs: median(results.map((r) => r.cpuMs)),
    lastStderr: results[results.length - 1]?.stderr ?? '',
  };
}

/**
 * Like `bench`, for several commands measured side by side: their runs alternate (A, B, A, B…),
 * so load from other work on a shared machine falls on each of them alike. Returns one result
 * per entry, in the same shape as `bench`.
 */
export async function benchInterleaved(entries, { runs = 3, warmup = 1, log = () => {} } = {}) {
  for (let i = 0; i < warmup; i++) {
    for (const e of entries) {
      const w = await runOnce(e.cmd, e.args, e.opts ?? {});
      log(`  ${e.label}: warm-up ${(w.wallMs / 1000).toFixed(2)} s`);
    }
  }
  const results = entries.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, e] of entries.entries()) {
      await e.before?.();
      const r = await runOnce(e.cmd, e.args, e.opts ?? {});
      results[k].push(r);
      log(`  ${e.label}: run ${i + 1}/${runs} ${(r.wallMs / 1000).toFixed(3)} s, CPU ${(r.cpuMs / 1000).toFixed(2)} s, ${(r.rssKb / 1024).toFixed(0)} MB`);
    }
  }
  return entries.map((e, k) => {
    const rs = results[k];
    const walls = rs.map((r) => r.wallMs);
    return {
      label: e.label,
      timedOut: false,
      runs: rs,
      medianMs: median(walls),
      minMs: Math.min(...walls),
      maxMs: Math.max(...walls),
      peakRssKb: Math.max(...rs.map((r) => r.rssKb)),
      cpuMs: median(rs.map((r) => r.cpuMs)),
      lastStderr: rs[rs.length - 1]?.stderr ?? '',
    };
  });
}
