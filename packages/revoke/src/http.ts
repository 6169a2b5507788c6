/**
 * The only way Tokenward talks to providers. Requests go to one allowed origin; redirects elsewhere
 * are refused; TLS is verified (Node's default, and we refuse to run with it switched off);
 * every request has a timeout; 429 is retried after Retry-After; requests to one host are spaced.
 */

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Final URL (after same-origin redirects). */
  url: string;
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    /** `timeout`, `redirect`, `network`, `rate-limited`, `tls` */
    readonly kind: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface HttpClientOptions {
  /** Per request, including reading the body. Default 15 s. */
  timeoutMs?: number;
  /** 429 retries. Default 2. */
  maxRetries?: number;
  /** A Retry-After longer than this is not waited for: the request fails as rate-limited. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Minimum spacing between requests to one host. Default 0. */
  minIntervalMs?: number;
  /** Injected for tests of the client itself; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

const MAX_REDIRECTS = 3;
const MAX_BODY = 4 * 1024 * 1024;

/** Reads at most `cap` bytes while streaming and cancels the rest, so a huge reply never sits in memory. */
async function readCapped(res: Response, cap: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < cap) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = cap - size;
      const part = value.byteLength > room ? value.subarray(0, room) : value;
      parts.push(part);
      size += part.byteLength;
    }
  } finally {
    if (size >= cap) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  return Buffer.concat(parts).toString('utf8');
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retry-After is seconds or an HTTP date. Missing or unreadable: 1 s. */
export function retryAfterMs(value: string | null, now = Date.now()): number {
  if (!value) return 1000;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}

export class HttpClient {
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly minIntervalMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly env: NodeJS.ProcessEnv;
  private readonly nextSlot = new Map<string, number>();
  /** Requests sent (for tests and summaries). */
  requests = 0;

  constructor(options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.env = options.env ?? process.env;
  }

  /** Sends `req`, which must stay on `allowedOrigin` (scheme + host + port). */
  async send(req: HttpRequest, allowedOrigin: string): Promise<HttpResponse> {
    if (req.url.origin !== allowedOrigin) throw new HttpError(`refused: ${req.url.host} is not the rule's host (${new URL(allowedOrigin).host})`, 'redirect');
    if (req.url.protocol === 'https:' && this.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
      throw new HttpError('refused: TLS certificate checks are disabled (NODE_TLS_REJECT_UNAUTHORIZED=0)', 'tls');
    }
    for (let attempt = 0; ; attempt++) {
      const res = await this.sendFollowingRedirects(req, allowedOrigin);
      if (res.status !== 429) return res;
      const wait = retryAfterMs(res.headers.get('retry-after'));
      if (attempt >= this.maxRetries || wait > this.maxRetryAfterMs) {
        throw new HttpError(`rate limited by ${req.url.host} (429; Retry-After ${res.headers.get('retry-after') ?? 'not given'})`, 'rate-limited', 429);
      }
      await this.sleep(wait);
    }
  }

  private async sendFollowingRedirects(req: HttpRequest, allowedOrigin: string): Promise<HttpResponse> {
    let url = req.url;
    let method = req.method;
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const res = await this.sendOnce({ ...req, url, method, body });
      if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
      const location = res.headers.get('location');
      if (!location) return res;
      const next = new URL(location, url);
      if (next.origin !== allowedOrigin) {
        throw new HttpError(`refused redirect from ${url.host} to another host (${next.host})`, 'redirect', res.status);
      }
      if (hop >= MAX_REDIRECTS) throw new HttpError(`too many redirects from ${url.host}`, 'redirect', res.status);
      // 307/308 keep the method and body; others become GET, which is only safe for a GET.
      if (res.status !== 307 && res.status !== 308) {
        if (method !== 'GET') throw new HttpError(`refused: ${method} ${url.pathname} answered with a ${res.status} redirect`, 'redirect', res.status);
        body = undefined;
      }
      url = next;
      method = method === 'GET' || res.status === 307 || res.status === 308 ? method : 'GET';
    }
  }

  private async waitForSlot(host: string): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, slot + this.minIntervalMs);
    if (slot > now) await this.sleep(slot - now);
  }

  private async sendOnce(req: HttpRequest): Promise<HttpResponse> {
    await this.waitForSlot(req.url.host);
    this.requests++;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await this.fetchFn(req.url, {
        method: req.method,
        headers: { 'User-Agent': 'tokenward', ...req.headers },
        body: req.body,
        redirect: 'manual',
        signal,
      });
      const text = await readCapped(res, MAX_BODY);
      return { status: res.status, headers: res.headers, text, url: req.url.href };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (err.name === 'TimeoutError' || signal.aborted) {
        throw new HttpError(`${req.url.host} did not answer within ${Math.round(this.timeoutMs / 100) / 10}s`, 'timeout');
      }
      const cause = err.cause?.code ?? err.cause?.message ?? err.message;
      const kind = /CERT|SSL|TLS/i.test(String(cause)) ? 'tls' : 'network';
      throw new HttpError(`cannot reach ${req.url.host}: ${cause}`, kind);
    }
  }
}
