/**
 * Local stand-ins for provider APIs on 127.0.0.1, following each provider's documented contract
 * (paths, methods, auth headers, bodies, status codes; see shared/knowledge/providers.json), with
 * switchable failures: 401, 404, 429 + Retry-After, 500, hanging (timeout), malformed JSON.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Failure =
  | { kind: 'status'; status: number; body?: string; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'redirect'; location: string };

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: RecordedRequest, p: FakeProvider) => Reply | undefined;

export class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  /** Token → still accepted? Tokens not listed are unknown (rejected). */
  readonly tokens = new Map<string, boolean>();
  /** Failures served (in order) before the contract answers again. */
  readonly failures: Failure[] = [];
  /** npm: token list entries; heroku: authorizations; GitHub: repositories; GitLab: projects. */
  listing: unknown[] = [];
  /** Provider-specific account data the documented answers carry (login, scopes, orgs, …). */
  account: Record<string, unknown> = {};
  origin = '';
  private server?: Server;

  constructor(
    readonly name: string,
    private readonly handler: Handler,
  ) {}

  add(token: string, active = true): this {
    this.tokens.set(token, active);
    return this;
  }
  isActive(token: string): boolean {
    return this.tokens.get(token) === true;
  }
  revoke(token: string): boolean {
    if (!this.isActive(token)) return false;
    this.tokens.set(token, false);
    return true;
  }
  failNext(...f: Failure[]): this {
    this.failures.push(...f);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.serve(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      this.requests.push(rec);
      const failure = this.failures.shift();
      if (failure) {
        if (failure.kind === 'hang') return; // never answers: the client's timeout must fire
        if (failure.kind === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"objects": [ {"key": ');
          return;
        }
        if (failure.kind === 'redirect') {
          res.writeHead(302, { location: failure.location });
          res.end();
          return;
        }
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (failure.retryAfter !== undefined) headers['retry-after'] = failure.retryAfter;
        res.writeHead(failure.status, headers);
        res.end(failure.body ?? JSON.stringify({ message: `fake ${failure.status}` }));
        return;
      }
      const reply = this.handler(rec, this) ?? { status: 404, body: { message: 'Not Found' } };
      const headers: Record<string, string> = { ...(reply.body !== undefined ? { 'content-type': 'application/json' } : {}), ...reply.headers };
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  }
}

const bearer = (r: RecordedRequest, scheme = 'Bearer') => {
  const h = r.headers.authorization ?? '';
  return h.startsWith(`${scheme} `) ? h.slice(scheme.length + 1) : undefined;
};
const json = (r: RecordedRequest): any => {
  try {
    return JSON.parse(r.body);
  } catch {
    return undefined;
  }
};

/** `?a=1&b=2` of a recorded path. */
const query = (r: RecordedRequest) => new URL(r.path, 'http://x').searchParams;
const pathOnly = (r: RecordedRequest) => r.path.split('?')[0];

/** One page of `items` (`page`, `per_page`) and, when more follow, a Link header as GitHub and GitLab send it. */
function paged(p: FakeProvider, r: RecordedRequest, items: unknown[], defaultPer = 30): { page: unknown[]; headers: Record<string, string> } {
  const q = query(r);
  const per = Number(q.get('per_page') ?? defaultPer);
  const page = Number(q.get('page') ?? 1);
  const slice = items.slice((page - 1) * per, page * per);
  const headers: Record<string, string> = {};
  if (page * per < items.length) {
    const next = new URL(r.path, p.origin);
    next.searchParams.set('page', String(page + 1));
    const last = new URL(r.path, p.origin);
    last.searchParams.set('page', String(Math.ceil(items.length / per)));
    headers.link = `<${next.href}>; rel="next", <${last.href}>; rel="last"`;
  }
  return { page: slice, headers };
}

/**
 * GitHub: GET /user (login; `X-OAuth-Scopes` for classic and OAuth tokens; the
 * `github-authentication-token-expiration` header when the token expires), GET /user/repos
 * (repositories with the account's `permissions`, paginated with Link), installation
 * repositories, unauthenticated batched credential revocation, installation token delete.
 * Set `account.scopes`, `account.expires`, `listing` (repositories) per test.
 */
export const github = () =>
  new FakeProvider('github', (r, p) => {
    const t = bearer(r, 'token') ?? bearer(r);
    const ok = t !== undefined && p.isActive(t);
    const unauthorized = { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
    const tokenHeaders = (): Record<string, string> => {
      const h: Record<string, string> = {};
      // Fine-grained tokens carry no OAuth scopes.
      if (!t?.startsWith('github_pat_')) h['x-oauth-scopes'] = String(p.account.scopes ?? 'repo, read:org');
      if (p.account.expires) h['github-authentication-token-expiration'] = String(p.account.expires);
      return h;
    };
    if (r.method === 'GET' && pathOnly(r) === '/user') {
      return ok ? { status: 200, body: { login: p.account.login ?? 'octocat', id: 1, type: 'User', name: 'The Octocat' }, headers: tokenHeaders() } : unauthorized;
    }
    if (r.method === 'GET' && pathOnly(r) === '/user/repos') {
      if (!ok) return unauthorized;
      const { page, headers } = paged(p, r, p.listing);
      return { status: 200, body: page, headers };
    }
    if (r.method === 'GET' && pathOnly(r) === '/installation/repositories') {
      if (!ok) return unauthorized;
      const { page, headers } = paged(p, r, p.listing);
      return { status: 200, body: { total_count: p.listing.length, repository_selection: 'selected', repositories: page }, headers: { ...headers, ...tokenHeaders() } };
    }
    if (r.method === 'POST' && r.path === '/credentials/revoke') {
      // Documented: any authenticated request gets 403; at most 1,000 credentials per request.
      if (r.headers.authorization) return { status: 403, body: { message: 'Must not be authenticated' } };
      if (!String(r.headers['content-type']).startsWith('application/json')) return { status: 415, body: { message: 'Unsupported Media Type' } };
      const creds = json(r)?.credentials;
      if (!Array.isArray(creds) || creds.length === 0 || creds.length > 1000) return { status: 422, body: { message: 'Validation Failed' } };
      for (const c of creds) p.revoke(c);
      return { status: 202, body: {} };
    }
    if (r.method === 'DELETE' && r.path === '/installation/token') {
      return t && p.revoke(t) ? { status: 204 } : unauthorized;
    }
    return undefined;
  });

/** A repository as GET /user/repos lists it (fields the access map reads, plus a few more). */
export function githubRepo(owner: string, name: string, permissions: { admin?: boolean; push?: boolean } = {}): Record<string, unknown> {
  return {
    id: Math.floor(Math.random() * 1e9),
    name,
    full_name: `${owner}/${name}`,
    private: true,
    owner: { login: owner, type: 'Organization' },
    permissions: { admin: permissions.admin ?? false, maintain: false, push: permissions.push ?? false, triage: false, pull: true },
  };
}

/**
 * GitLab: GET /personal_access_tokens/self (the token: name, scopes, expiry, revoked), GET /user,
 * GET /projects?min_access_level= (paginated with Link), DELETE /personal_access_tokens/self.
 * `account.scopes` (default [api]) decide what /user answers: read_user, read_api or api.
 */
export const gitlab = () =>
  new FakeProvider('gitlab', (r, p) => {
    const t = r.headers['private-token'] as string | undefined;
    const known = t !== undefined && p.tokens.has(t);
    const unauthorized = { status: 401, body: { message: '401 Unauthorized' } };
    const scopes = (p.account.scopes as string[] | undefined) ?? ['api'];
    const path = pathOnly(r);
    if (path === '/api/v4/personal_access_tokens/self') {
      if (r.method === 'GET') {
        return known && p.isActive(t!)
          ? {
              status: 200,
              body: { id: 7, name: p.account.tokenName ?? 'ci', revoked: false, created_at: '2025-01-02T10:00:00.000Z', description: '', scopes, user_id: 3, last_used_at: '2025-06-01T08:00:00.000Z', active: true, expires_at: p.account.expiresAt ?? '2026-06-30' },
            }
          : unauthorized;
      }
      if (r.method === 'DELETE') return known && p.revoke(t!) ? { status: 204 } : unauthorized;
      return undefined;
    }
    if (!(known && p.isActive(t!))) return unauthorized;
    if (r.method === 'GET' && path === '/api/v4/user') {
      if (!scopes.some((s) => ['api', 'read_api', 'read_user'].includes(s))) return { status: 403, body: { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api read_user' } };
      return { status: 200, body: { id: 3, username: p.account.username ?? 'jdoe', name: 'J Doe', state: 'active', is_admin: false } };
    }
    if (r.method === 'GET' && path === '/api/v4/projects') {
      if (!scopes.some((s) => ['api', 'read_api'].includes(s))) return { status: 403, body: { error: 'insufficient_scope' } };
      const min = Number(query(r).get('min_access_level') ?? 0);
      const { page, headers } = paged(p, r, (p.listing as { access: number }[]).filter((x) => x.access >= min), 20);
      return { status: 200, body: page, headers };
    }
    return undefined;
  });

/** A project as GET /projects?simple=true lists it; `access` is the stand-in's own field (the member's level). */
export function gitlabProject(namespace: string, name: string, access: number): Record<string, unknown> {
  return { id: Math.floor(Math.random() * 1e6), name, path: name, path_with_namespace: `${namespace}/${name}`, namespace: { id: 1, name: namespace, path: namespace, kind: 'group', full_path: namespace }, access };
}

/** Slack answers HTTP 200 with ok:false for bad tokens; auth.test says who the token is, the `x-oauth-scopes` header what it may do. */
export const slack = () =>
  new FakeProvider('slack', (r, p) => {
    const t = bearer(r) ?? new URLSearchParams(r.body).get('token') ?? undefined;
    const ok = t !== undefined && p.isActive(t);
    if (r.method === 'POST' && r.path === '/api/auth.test') {
      if (!ok) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      const bot = t!.startsWith('xoxb-') ? { bot_id: 'B0123ABCD' } : {};
      return {
        status: 200,
        body: { ok: true, url: 'https://subarachnoid.slack.com/', team: p.account.team ?? 'Subarachnoid Workspace', user: p.account.user ?? 'grace', team_id: 'T12345678', user_id: 'W12345678', ...bot, is_enterprise_install: false },
        headers: { 'x-oauth-scopes': String(p.account.scopes ?? 'chat:write,channels:read') },
      };
    }
    if (r.method === 'POST' && r.path === '/api/auth.revoke') {
      if (!ok) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      if (new URLSearchParams(r.body).get('test') === '1') return { status: 200, body: { ok: true, revoked: false } };
      p.revoke(t!);
      return { status: 200, body: { ok: true, revoked: true } };
    }
    return undefined;
  });

/** npm: whoami; the token list shows `first 8...last 4` with its flags; delete by key. */
export const npm = () =>
  new FakeProvider('npm', (r, p) => {
    const t = bearer(r);
    const ok = t !== undefined && p.isActive(t);
    if (r.method === 'GET' && r.path === '/-/whoami') return ok ? { status: 200, body: { username: p.account.username ?? 'someone' } } : { status: 401, body: { error: 'Unauthorized' } };
    if (!ok && r.path.startsWith('/-/npm/v1/tokens')) return { status: 401, body: { error: 'Unauthorized' } };
    if (r.method === 'GET' && r.path === '/-/npm/v1/tokens') {
      // `full` is the stand-in's own bookkeeping, never part of the answer.
      const objects = (p.listing as Record<string, unknown>[]).map(({ full: _full, ...entry }) => ({ cidr_whitelist: null, readonly: false, automation: false, created: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:00:00.000Z', ...entry }));
      return { status: 200, body: { objects, total: objects.length, urls: {} } };
    }
    const m = /^\/-\/npm\/v1\/tokens\/token\/([^/]+)$/.exec(r.path);
    if (r.method === 'DELETE' && m) {
      const key = decodeURIComponent(m[1]!);
      const entry = (p.listing as { key: string; full?: string }[]).find((e) => e.key === key);
      if (!entry) return { status: 404, body: { error: 'Not found' } };
      if (entry.full) p.revoke(entry.full);
      p.listing = p.listing.filter((e) => e !== entry);
      return { status: 204 };
    }
    return undefined;
  });

/** Providers whose contract is "GET check with Bearer; revoke the presenting token". */
function selfRevoking(name: string, check: string, revoke: { method: string; path: string; status: number; body?: unknown }, auth: (r: RecordedRequest) => string | undefined = (r) => bearer(r), rejectStatus = 401) {
  return () =>
    new FakeProvider(name, (r, p) => {
      const t = auth(r);
      const ok = t !== undefined && p.isActive(t);
      if (r.method === 'GET' && r.path === check) return ok ? { status: 200, body: { id: 'me' } } : { status: rejectStatus, body: { message: 'invalid token' } };
      if (r.method === revoke.method && r.path === revoke.path) {
        if (!ok) return { status: rejectStatus, body: { message: 'invalid token' } };
        p.revoke(t!);
        return { status: revoke.status, ...(revoke.body !== undefined ? { body: revoke.body } : {}) };
      }
      return undefined;
    });
}

export const vercel = selfRevoking('vercel', '/v2/user', { method: 'DELETE', path: '/v3/user/tokens/current', status: 200, body: { tokenId: 't1' } }, bearer, 403);
export const buildkite = selfRevoking('buildkite', '/v2/access-token', { method: 'DELETE', path: '/v2/access-token', status: 204 });
export const cratesio = selfRevoking('cratesio', '/never', { method: 'DELETE', path: '/api/v1/tokens/current', status: 204 }, (r) => r.headers.authorization, 403);

export const digitalocean = () =>
  new FakeProvider('digitalocean', (r, p) => {
    const t = bearer(r);
    if (r.method === 'GET' && r.path === '/v2/account') return t && p.isActive(t) ? { status: 200, body: { account: {} } } : { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } };
    if (r.method === 'POST' && r.path === '/v1/oauth/revoke') {
      const form = new URLSearchParams(r.body).get('token');
      if (!t || form !== t || !p.revoke(t)) return { status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you' } };
      return { status: 200, body: {} };
    }
    return undefined;
  });

/** Doppler: token only in the JSON body. */
export const doppler = () =>
  new FakeProvider('doppler', (r, p) => {
    if (r.method === 'GET' && r.path === '/v3/me') {
      const t = bearer(r);
      return t && p.isActive(t) ? { status: 200, body: { name: 'me' } } : { status: 401, body: { messages: ['Invalid Auth token'], success: false } };
    }
    if (r.method === 'POST' && r.path === '/v3/auth/revoke') {
      const t = json(r)?.token;
      return typeof t === 'string' && p.revoke(t) ? { status: 200, body: { success: true } } : { status: 401, body: { messages: ['Invalid Auth token'], success: false } };
    }
    return undefined;
  });

/** Heroku: list authorizations, delete the one whose access_token.token is ours. */
export const heroku = () =>
  new FakeProvider('heroku', (r, p) => {
    const t = bearer(r);
    const ok = t !== undefined && p.isActive(t);
    if (!ok) return { status: 401, body: { id: 'unauthorized', message: 'Invalid credentials provided.' } };
    if (r.method === 'GET' && r.path === '/account') return { status: 200, body: { email: 'a@example.com' } };
    if (r.method === 'GET' && r.path === '/oauth/authorizations') return { status: 200, body: p.listing };
    const m = /^\/oauth\/authorizations\/([^/]+)$/.exec(r.path);
    if (r.method === 'DELETE' && m) {
      const entry = (p.listing as { id: string; access_token: { token: string } }[]).find((a) => a.id === m[1]);
      if (!entry) return { status: 404, body: { id: 'not_found', message: 'Couldn\'t find that authorization.' } };
      p.revoke(entry.access_token.token);
      return { status: 200, body: entry };
    }
    return undefined;
  });

/** Hugging Face: whoami-v2 (account, orgs with the member's role, the token's name and role); unauthenticated bulk revoke. */
export const huggingface = () =>
  new FakeProvider('huggingface', (r, p) => {
    if (r.method === 'GET' && r.path === '/api/whoami-v2') {
      const t = bearer(r);
      if (!(t && p.isActive(t))) return { status: 401, body: { error: 'Invalid credentials in Authorization header' } };
      const orgs = ((p.account.orgs as string[] | undefined) ?? []).map((name) => ({ type: 'org', name, fullname: name, roleInOrg: 'write', avatarUrl: '', periodEnd: null, canPay: false, email: null }));
      return {
        status: 200,
        body: {
          type: 'user',
          id: '6423a1b2c3d4e5f6',
          name: p.account.name ?? 'me',
          fullname: 'Me',
          email: 'me@example.com',
          emailVerified: true,
          canPay: false,
          isPro: false,
          periodEnd: null,
          avatarUrl: '',
          orgs,
          auth: { type: 'access_token', accessToken: { displayName: p.account.tokenName ?? 'laptop', role: p.account.role ?? 'write', createdAt: '2025-01-01T00:00:00.000Z' } },
        },
      };
    }
    if (r.method === 'POST' && r.path === '/api/credentials/revoke') {
      const creds = json(r)?.credentials;
      if (!Array.isArray(creds) || creds.length === 0 || creds.length > 1000) return { status: 422, body: { error: 'invalid' } };
      for (const c of creds) p.revoke(c);
      return { status: 202, body: {} };
    }
    return undefined;
  });

/** Stripe: GET /v1/account with the secret key as Bearer (the Account object); 401 with an error object. */
export const stripe = () =>
  new FakeProvider('stripe', (r, p) => {
    if (r.method !== 'GET' || r.path !== '/v1/account') return undefined;
    const t = bearer(r);
    if (!(t && p.isActive(t))) return { status: 401, body: { error: { message: 'Invalid API Key provided: sk_live_****', type: 'invalid_request_error' } } };
    return {
      status: 200,
      body: { id: p.account.id ?? 'acct_1Nv0FGQ9RKHgCVdK', object: 'account', email: 'billing@acme.example', country: 'US', charges_enabled: true, payouts_enabled: true, type: 'standard', settings: { dashboard: { display_name: p.account.name ?? 'Acme', timezone: 'Etc/UTC' } } },
    };
  });

/** Wise: GET /v1/profiles with a personal API token (personal and business profiles); 401 otherwise. */
export const wise = () =>
  new FakeProvider('wise', (r, p) => {
    if (r.method !== 'GET' || r.path !== '/v1/profiles') return undefined;
    const t = bearer(r);
    if (!(t && p.isActive(t))) return { status: 401, body: { error: 'invalid_token', error_description: 'Invalid token' } };
    return {
      status: 200,
      body: [
        { id: 30000001, type: 'personal', details: { firstName: 'Oliver', lastName: 'Wilson', dateOfBirth: '1977-07-01' } },
        { id: 30000002, type: 'business', details: { name: p.account.business ?? 'ABC Logistics Ltd', registrationNumber: '12144939', companyType: 'LIMITED' } },
      ],
    };
  });

/** Cloudflare: verify gives the token's id; delete by id. */
export const cloudflare = () =>
  new FakeProvider('cloudflare', (r, p) => {
    const t = bearer(r);
    const ids = new Map([...p.tokens.keys()].map((k, i) => [`id${i}${'0'.repeat(29)}`, k]));
    const idOf = (tok: string) => [...ids].find(([, v]) => v === tok)?.[0];
    const fail = { status: 401, body: { success: false, errors: [{ code: 1000, message: 'Invalid API Token' }], messages: [], result: null } };
    if (!t || !p.tokens.has(t)) return fail;
    if (r.method === 'GET' && r.path === '/client/v4/user/tokens/verify') {
      if (!p.isActive(t)) return fail;
      return { status: 200, body: { success: true, errors: [], messages: [], result: { id: idOf(t), status: 'active' } } };
    }
    const m = /^\/client\/v4\/user\/tokens\/([^/]+)$/.exec(r.path);
    if (r.method === 'DELETE' && m) {
      if (!p.isActive(t)) return fail;
      const target = ids.get(m[1]!);
      if (!target) return { status: 404, body: { success: false, errors: [{ code: 1003, message: 'Not found' }] } };
      p.revoke(target);
      return { status: 200, body: { success: true, errors: [], messages: [], result: { id: m[1] } } };
    }
    return undefined;
  });

/** Dropbox: RPC endpoints are POSTs; /2/auth/token/revoke revokes the presenting token (no body). */
export const dropbox = () =>
  new FakeProvider('dropbox', (r, p) => {
    const t = bearer(r);
    const ok = t !== undefined && p.isActive(t);
    const invalid = { status: 401, body: { error_summary: 'invalid_access_token/', error: { '.tag': 'invalid_access_token' } } };
    if (r.method === 'POST' && r.path === '/2/check/user') return ok ? { status: 200, body: { result: json(r)?.query ?? '' } } : invalid;
    if (r.method === 'POST' && r.path === '/2/auth/token/revoke') {
      if (r.body !== '') return { status: 400, body: 'Error in call to API function "auth/token/revoke": This function requires its argument in the HTTP request body, but your request body is empty.' };
      if (!ok) return invalid;
      p.revoke(t!);
      return { status: 200, body: null };
    }
    return undefined;
  });

/** Twitch: validate with "OAuth <token>" gives the client id; revoke needs client_id + token (form). */
export const twitch = () =>
  new FakeProvider('twitch', (r, p) => {
    const clientOf = (tok: string) => `cid${tok.slice(0, 6)}`;
    if (r.method === 'GET' && r.path === '/oauth2/validate') {
      const t = bearer(r, 'OAuth');
      return t && p.isActive(t) ? { status: 200, body: { client_id: clientOf(t), login: 'someone', scopes: [], user_id: '1', expires_in: 3600 } } : { status: 401, body: { status: 401, message: 'invalid access token' } };
    }
    if (r.method === 'POST' && r.path === '/oauth2/revoke') {
      const form = new URLSearchParams(r.body);
      const t = form.get('token');
      if (!t || !p.isActive(t)) return { status: 400, body: { status: 400, message: 'Invalid token' } };
      if (form.get('client_id') !== clientOf(t)) return { status: 403, body: { status: 403, message: 'the client_id provided does not match the client_id of the token' } };
      p.revoke(t);
      return { status: 200 };
    }
    return undefined;
  });

/** Fastly: the token is sent as Fastly-Key; GET and DELETE /tokens/self act on the presenting token. */
export const fastly = selfRevoking('fastly', '/tokens/self', { method: 'DELETE', path: '/tokens/self', status: 204 }, (r) => r.headers['fastly-key'] as string | undefined);

export const FAKES = { github, gitlab, slack, npm, digitalocean, doppler, vercel, heroku, huggingface, buildkite, cratesio, cloudflare, stripe, wise, dropbox, twitch, fastly };
