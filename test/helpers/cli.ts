import { spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO_ROOT, 'packages/cli/bin/tokenward.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const cliEnv = (options: CliOptions): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env });

/**
 * Runs `tokenward` in this process: `main(argv, io)` of the built CLI with in-memory standard
 * streams, the given working directory and environment (git and every other child process get
 * that environment too). For what only a real process shows (the bin, signals, a pipe read once),
 * use `spawnCli`.
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const { main } = await import('@tokenward/cli');
  const stdout = new Collector();
  const stderr = new Collector();
  const stdin = Readable.from(options.input === undefined ? [] : [typeof options.input === 'string' ? Buffer.from(options.input) : options.input]);
  const code = await main(args, { stdout, stderr, stdin, env: cliEnv(options), cwd: options.cwd ?? REPO_ROOT });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A writable that keeps what is written (a stand-in for stdout/stderr that is not a terminal). */
class Collector extends Writable {
  private readonly parts: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

/** Runs the built `tokenward` bin as a user would: a real process, real files. */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cliEnv(options),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** A temporary folder with the given files; removed by the returned cleanup. */
export function tempTree(files: Record<string, string | Buffer> = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temporary folder for the running test, removed when the test finishes. */
export function testTree(files: Record<string, string | Buffer> = {}): string {
  const t = tempTree(files);
  onTestFinished(t.cleanup);
  return t.dir;
}
