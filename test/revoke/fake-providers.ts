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
  /** npm: token list entries; heroku: authorizations. */
  listing: unknown[] = [];
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

/** GitHub: unauthenticated batched credential revocation, GET /user, installation token delete. */
export const github = () =>
  new FakeProvider('github', (r, p) => {
    if (r.method === 'GET' && (r.path === '/user' || r.path === '/installation/repositories')) {
      const t = bearer(r, 'token');
      return t && p.isActive(t) ? { status: 200, body: { login: 'octocat', id: 1 } } : { status: 401, body: { message: 'Bad credentials' } };
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
      const t = bearer(r, 'token');
      return t && p.revoke(t) ? { status: 204 } : { status: 401, body: { message: 'Bad credentials' } };
    }
    return undefined;
  });

export const gitlab = () =>
  new FakeProvider('gitlab', (r, p) => {
    if (r.path !== '/api/v4/personal_access_tokens/self') return undefined;
    const t = r.headers['private-token'] as string | undefined;
    const known = t !== undefined && p.tokens.has(t);
    if (r.method === 'GET') {
      return known && p.isActive(t!) ? { status: 200, body: { id: 7, name: 'ci', revoked: false, active: true } } : { status: 401, body: { message: '401 Unauthorized' } };
    }
    if (r.method === 'DELETE') return known && p.revoke(t!) ? { status: 204 } : { status: 401, body: { message: '401 Unauthorized' } };
    return undefined;
  });

/** Slack answers HTTP 200 with ok:false for bad tokens. */
export const slack = () =>
  new FakeProvider('slack', (r, p) => {
    const t = bearer(r) ?? new URLSearchParams(r.body).get('token') ?? undefined;
    const ok = t !== undefined && p.isActive(t);
    if (r.method === 'POST' && r.path === '/api/auth.test') return { status: 200, body: ok ? { ok: true, team: 'T', user: 'U' } : { ok: false, error: 'invalid_auth' } };
    if (r.method === 'POST' && r.path === '/api/auth.revoke') {
      if (!ok) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
      if (new URLSearchParams(r.body).get('test') === '1') return { status: 200, body: { ok: true, revoked: false } };
      p.revoke(t!);
      return { status: 200, body: { ok: true, revoked: true } };
    }
    return undefined;
  });

/** npm: the token list shows `first 8...last 4`; delete by key. */
export const npm = () =>
  new FakeProvider('npm', (r, p) => {
    const t = bearer(r);
    const ok = t !== undefined && p.isActive(t);
    if (r.method === 'GET' && r.path === '/-/whoami') return ok ? { status: 200, body: { username: 'someone' } } : { status: 401, body: { error: 'Unauthorized' } };
    if (!ok && r.path.startsWith('/-/npm/v1/tokens')) return { status: 401, body: { error: 'Unauthorized' } };
    if (r.method === 'GET' && r.path === '/-/npm/v1/tokens') return { status: 200, body: { objects: p.listing, total: p.listing.length, urls: {} } };
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

export const huggingface = () =>
  new FakeProvider('huggingface', (r, p) => {
    if (r.method === 'GET' && r.path === '/api/whoami-v2') {
      const t = bearer(r);
      return t && p.isActive(t) ? { status: 200, body: { name: 'me', id: '1' } } : { status: 401, body: { error: 'Invalid credentials in Authorization header' } };
    }
    if (r.method === 'POST' && r.path === '/api/credentials/revoke') {
      const creds = json(r)?.credentials;
      if (!Array.isArray(creds) || creds.length === 0 || creds.length > 1000) return { status: 422, body: { error: 'invalid' } };
      for (const c of creds) p.revoke(c);
      return { status: 202, body: {} };
    }
    return undefined;
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

export const FAKES = { github, gitlab, slack, npm, digitalocean, doppler, vercel, heroku, huggingface, buildkite, cratesio, cloudflare, dropbox, twitch, fastly };
