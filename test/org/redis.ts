/** A real redis-server (the Debian package) on 127.0.0.1, on a free port, in a temp folder. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.once('error', () => resolve(false));
    sock.connect(port, '127.0.0.1', () => {
      sock.write('PING\r\n');
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** SIGTERM (Redis writes its append-only file and exits), then the same server again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Persistence is explicit: append-only file, fsync on every write, no RDB snapshots, so what a
 * restart keeps is exactly what was acknowledged (a production queue needs the same: docs/org.md).
 */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes', '--logfile', join(dir, 'redis.log')];
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await answers(port)) return;
      if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}); see ${dir}/redis.log`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('redis-server did not answer within 5 s');
  };
  const halt = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
