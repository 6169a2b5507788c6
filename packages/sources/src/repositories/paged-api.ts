import { ListingError } from './types.js';

/**
 * GET every page of a provider's list endpoint, following the provider's documented contract:
 *  - pagination by the `Link: <…>; rel="next"` header (GitHub and GitLab both send it);
 *  - rate limits: on 403/429, wait `Retry-After` seconds when given, else until `X-RateLimit-Reset`
 *    (GitLab: `RateLimit-Reset`, epoch seconds) when the remaining count is 0, else (429, or a
 *    GitHub "secondary rate limit") at least a minute, doubling; a 200 that leaves 0 requests
 *    waits for the reset before the next page instead of running into the limit;
 *  - the token goes only to the API's own origin: a next-page link elsewhere is refused, and plain
 *    http is accepted only on a loopback address (a token never crosses the network in clear).
 */

export interface PagedApiOptions {
  headers: Record<string, string>;
  /** Longest single wait for a rate limit; longer ones fail the listing. Default 15 minutes. */
  maxWaitMs?: number;
  /** Told about each wait, so a long listing says why it pauses. */
  onWait?: (ms: number, reason: string) => void;
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class ApiError extends ListingError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const MAX_RATE_LIMIT_RETRIES = 6;
const SECONDARY_WAIT_MS = 60_000;

/** An API base URL a token may be sent to: https, or http on a loopback address only. */
export function checkApiBase(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ListingError(`${what}: not a URL: ${raw}`);
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ListingError(`${what}: ${raw} must be https (plain http only on a loopback address), so the token is never sent in clear text`);
  }
  return url;
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel="?([^";]*\s)?next(\s[^";]*)?"?/.test(m[2]!)) return m[1];
  }
  return undefined;
}

function rateLimitWait(res: Response, body: string, attempt: number, now: number): { ms: number; reason: string } | undefined {
  const h = res.headers;
  const retryAfter = h.get('retry-after');
  if (retryAfter !== null) {
    const secs = Number(retryAfter.trim());
    const at = Date.parse(retryAfter);
    const ms = Number.isFinite(secs) ? secs * 1000 : Number.isNaN(at) ? SECONDARY_WAIT_MS : at - now;
    return { ms: Math.max(0, ms), reason: `Retry-After: ${retryAfter.trim()}` };
  }
  const remaining = h.get('x-ratelimit-remaining') ?? h.get('ratelimit-remaining');
  const reset = h.get('x-ratelimit-reset') ?? h.get('ratelimit-reset');
  if (remaining !== null && Number(remaining) === 0 && reset !== null && Number.isFinite(Number(reset))) {
    // Reset is in whole epoch seconds: one more second so the window has really rolled over.
    return { ms: Math.max(0, Number(reset) * 1000 - now) + 1000, reason: `rate limit used up, resets at ${new Date(Number(reset) * 1000).toISOString()}` };
  }
  if (res.status === 429 || /secondary rate limit/i.test(body)) return { ms: SECONDARY_WAIT_MS * 2 ** attempt, reason: 'rate limited without a reset time' };
  return undefined;
}

function apiMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { message?: unknown; error?: unknown };
    const m = j.message ?? j.error;
    if (typeof m === 'string') return m;
    if (m !== undefined) return JSON.stringify(m);
  } catch {
    // not JSON
  }
  return body.slice(0, 200).trim();
}

/** Yields each page's JSON array. */
export async function* fetchPages<T>(first: URL, options: PagedApiOptions): AsyncGenerator<T[]> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const maxWait = options.maxWaitMs ?? 15 * 60_000;
  const origin = first.origin;
  let url: URL | undefined = first;
  while (url) {
    let res: Response;
    let body: string;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await fetchFn(url, { headers: { 'User-Agent': 'tokenward', ...options.headers }, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
        body = await res.text();
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        throw new ListingError(`cannot reach ${url.host}: ${err.cause?.code ?? err.message}`);
      }
      if (res.status !== 403 && res.status !== 429) break;
      const wait = rateLimitWait(res, body, attempt, now());
      if (!wait) break;
      if (attempt >= MAX_RATE_LIMIT_RETRIES || wait.ms > maxWait) {
        throw new ApiError(`${url.host} rate limit (${res.status}; ${wait.reason}): waiting ${Math.ceil(wait.ms / 1000)} s is longer than allowed (${Math.ceil(maxWait / 1000)} s) or too many retries`, res.status);
      }
      options.onWait?.(wait.ms, `${url.host} answered ${res.status} (${wait.reason})`);
      await sleep(wait.ms);
    }
    if (!res.ok) throw new ApiError(`${url.host} answered ${res.status} for ${url.pathname}: ${apiMessage(body)}`, res.status);
    let page: unknown;
    try {
      page = JSON.parse(body);
    } catch {
      throw new ApiError(`${url.host} answered ${url.pathname} with something that is not JSON`, res.status);
    }
    if (!Array.isArray(page)) throw new ApiError(`${url.host} answered ${url.pathname} with ${typeof page}, not a list`, res.status);
    yield page as T[];
    const next = nextLink(res.headers.get('link'));
    url = next ? new URL(next, url) : undefined;
    if (url && url.origin !== origin) throw new ListingError(`refused to follow a next-page link to another host (${url.host}): the token goes only to ${new URL(origin).host}`);
    // Used up with this page: wait for the window instead of running into a 403.
    const remaining = res.headers.get('x-ratelimit-remaining') ?? res.headers.get('ratelimit-remaining');
    const reset = res.headers.get('x-ratelimit-reset') ?? res.headers.get('ratelimit-reset');
    if (url && remaining !== null && Number(remaining) === 0 && reset !== null) {
      const ms = Math.max(0, Number(reset) * 1000 - now()) + 1000;
      if (ms > maxWait) throw new ApiError(`${url.host} rate limit used up until ${new Date(Number(reset) * 1000).toISOString()}, longer than allowed`, res.status);
      options.onWait?.(ms, `${url.host} rate limit used up`);
      await sleep(ms);
    }
  }
}
