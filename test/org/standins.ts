/**
 * Stand-ins for the GitHub and GitLab REST APIs on 127.0.0.1, following their documented
 * contracts: `GET /orgs/{org}/repos` and `GET /api/v4/groups/:id/projects`, pages linked by
 * `Link: <…>; rel="next"`, and rate-limit answers (GitHub: 403 with X-RateLimit-Remaining: 0 and
 * X-RateLimit-Reset; 429 with Retry-After; GitLab: 429 with Retry-After and RateLimit-Reset).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinApi {
  url: string;
  requests: Array<{ path: string; auth: string | undefined; status: number; at: number }>;
  close(): Promise<void>;
}

export interface ListedRepo {
  name: string;
  cloneUrl: string;
  archived?: boolean;
  fork?: boolean;
}

interface ServeOptions {
  perPage: number;
  /** Page numbers that answer once with a rate limit first. */
  rateLimit: Record<number, 'github-403' | 'retry-after'>;
}

async function listen(handler: (req: IncomingMessage, url: URL, base: string) => { status: number; headers?: Record<string, string>; body: unknown }): Promise<StandinApi> {
  const requests: StandinApi['requests'] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const out = handler(req, url, base);
    const auth = (req.headers.authorization as string | undefined) ?? (req.headers['private-token'] as string | undefined);
    requests.push({ path: `${url.pathname}${url.search}`, auth, status: out.status, at: Date.now() });
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers }).end(JSON.stringify(out.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base, requests, close: () => new Promise((r) => server.close(() => r())) };
}

function page<T>(items: T[], url: URL, perPage: number): { slice: T[]; link?: string } {
  const n = Number(url.searchParams.get('page') ?? '1');
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const at = (p: number) => {
    const u = new URL(url);
    u.searchParams.set('page', String(p));
    return u.href;
  };
  const links = [n < pages ? `<${at(n + 1)}>; rel="next"` : '', `<${at(pages)}>; rel="last"`, `<${at(1)}>; rel="first"`].filter(Boolean);
  return { slice: items.slice((n - 1) * perPage, n * perPage), link: links.join(', ') };
}

export function startStandinGitHub(org: string, repos: ListedRepo[], options: ServeOptions): Promise<StandinApi> {
  const limited = new Set<number>();
  return listen((_req, url) => {
    if (url.pathname !== `/orgs/${org}/repos`) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    const n = Number(url.searchParams.get('page') ?? '1');
    const kind = options.rateLimit[n];
    if (kind && !limited.has(n)) {
      limited.add(n);
      if (kind === 'github-403') {
        const reset = Math.floor(Date.now() / 1000) + 1;
        return { status: 403, headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '60' }, body: { message: 'API rate limit exceeded for 127.0.0.1.' } };
      }
      return { status: 429, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit.' } };
    }
    const { slice, link } = page(repos, url, options.perPage);
    const body = slice.map((r, i) => ({ id: i + 1, full_name: `${org}/${r.name}`, name: r.name, clone_url: r.cloneUrl, archived: Boolean(r.archived), fork: Boolean(r.fork), disabled: false }));
    return { status: 200, headers: { link: link ?? '', 'x-ratelimit-remaining': '50', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) }, body };
  });
}

export function startStandinGitLab(group: string, projects: Array<ListedRepo & { namespace: string }>, options: ServeOptions): Promise<StandinApi> {
  const limited = new Set<number>();
  return listen((_req, url) => {
    if (url.pathname !== `/api/v4/groups/${encodeURIComponent(group)}/projects`) return { status: 404, body: { message: '404 Group Not Found' } };
    const subgroups = url.searchParams.get('include_subgroups') === 'true';
    const items = projects.filter((p) => subgroups || p.namespace === group);
    const n = Number(url.searchParams.get('page') ?? '1');
    if (options.rateLimit[n] && !limited.has(n)) {
      limited.add(n);
      return { status: 429, headers: { 'retry-after': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) }, body: { message: 'Retry later' } };
    }
    const { slice, link } = page(items, url, options.perPage);
    const body = slice.map((p, i) => ({
      id: i + 1,
      path_with_namespace: `${p.namespace}/${p.name}`,
      http_url_to_repo: p.cloneUrl,
      archived: Boolean(p.archived),
      ...(p.fork ? { forked_from_project: { id: 999 } } : {}),
    }));
    return { status: 200, headers: { link: link ?? '', 'x-next-page': '', 'x-total': String(items.length) }, body };
  });
}
