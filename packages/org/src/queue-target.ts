/** Where the queue is: light enough for every command (BullMQ itself is in ./queue.js). */

export const DEFAULT_QUEUE_NAME = 'tokenward-org';
export interface QueueTarget {
  /** redis://[user:password@]host:port[/db] or rediss://… */
  url: string;
  name: string;
}

export class QueueUrlError extends Error {
  override name = 'QueueUrlError';
}

/** Where Redis is, as both BullMQ and ioredis take it. */
export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
  /** null: commands wait through reconnects (BullMQ requires it for workers). */
  maxRetriesPerRequest: null;
}

/** Connection options from a redis:// URL. */
export function redisOptions(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUrlError(`--queue: not a URL: ${url.replace(/\/\/[^@/]*@/, '//***@')} (expected redis://HOST:PORT)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueUrlError(`--queue: expected redis://HOST:PORT or rediss://…, got ${u.protocol}`);
  const db = u.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new QueueUrlError(`--queue: database must be a number, got "${db}"`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

