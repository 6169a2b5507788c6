/**
 * Read-only checks of rules without a revocation API, against stand-ins on 127.0.0.1 that follow
 * each provider's documented request (method, path, where the credential goes) and answers. A rule
 * whose check asks the wrong path or sends the token the wrong way gets a 404 or a rejection here,
 * and its verdict is not `active`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, parseEndpoints, verifySecret } from '@tokenward/revoke';
import { rule } from './helpers.js';

type Credential = (req: IncomingMessage) => string | undefined;
const header = (name: string, scheme?: string): Credential => (req) => {
  const v = req.headers[name.toLowerCase()];
  if (typeof v !== 'string') return undefined;
  if (!scheme) return v;
  return v.startsWith(`${scheme} `) ? v.slice(scheme.length + 1) : undefined;
};
const bearer = header('authorization', 'Bearer');

interface Answer {
  status: number;
  body?: unknown;
}
interface Contract {
  method: 'GET' | 'POST';
  /** Path and query exactly as documented. */
  path: string;
  credential: Credential;
  /** Documented answers for a working and for a revoked or unknown token. */
  ok?: Answer;
  rejected?: Answer;
}
const ok200 = { status: 200, body: { ok: true } };
const unauthorized = { status: 401, body: { message: 'invalid token' } };

// From each provider's API reference (the rule's `docs`/`rotate.url` links the page).
const CONTRACTS: Record<string, Contract> = {
  'groq-api-key': { method: 'GET', path: '/openai/v1/models', credential: bearer, ok: { status: 200, body: { object: 'list', data: [] } }, rejected: { status: 401, body: { error: { message: 'Invalid API Key', code: 'invalid_api_key' } } } },
  'tailscale-api-access-token': { method: 'GET', path: '/api/v2/tailnet/-/keys', credential: bearer, ok: { status: 200, body: { keys: [] } } },
  'sourcegraph-access-token': { method: 'POST', path: '/.api/graphql', credential: header('authorization', 'token'), ok: { status: 200, body: { data: { currentUser: { username: 'someone' } } } }, rejected: { status: 401, body: 'Invalid access token.\n' } },
  'sonarcloud-token': { method: 'GET', path: '/api/authentication/validate', credential: bearer, ok: { status: 200, body: { valid: true } }, rejected: { status: 200, body: { valid: false } } },
  'snyk-api-token': { method: 'GET', path: '/rest/self?version=2024-10-15', credential: header('authorization', 'token'), ok: { status: 200, body: { data: { type: 'user' } } } },
  'facebook-access-token': { method: 'GET', path: '/me', credential: bearer, ok: { status: 200, body: { name: 'Someone', id: '1' } }, rejected: { status: 400, body: { error: { message: 'Invalid OAuth access token data.', type: 'OAuthException', code: 190 } } } },
  'hubspot-private-app-token': { method: 'GET', path: '/account-info/v3/details', credential: bearer, ok: { status: 200, body: { portalId: 1 } } },
  'messagebird-api-key': { method: 'GET', path: '/balance', credential: header('authorization', 'AccessKey'), ok: { status: 200, body: { payment: 'prepaid', amount: 1 } } },
  'square-access-token': { method: 'GET', path: '/v2/locations', credential: bearer },
  'datadog-api-key': { method: 'GET', path: '/api/v1/validate', credential: header('dd-api-key'), ok: { status: 200, body: { valid: true } }, rejected: { status: 403, body: { errors: ['Forbidden'] } } },
  'asana-personal-access-token': { method: 'GET', path: '/api/1.0/users/me', credential: bearer },
  'contentful-personal-access-token': { method: 'GET', path: '/users/me', credential: bearer },
  'intercom-access-token': { method: 'GET', path: '/me', credential: bearer },
  'typeform-personal-access-token': { method: 'GET', path: '/me', credential: bearer },
  'meraki-api-key': { method: 'GET', path: '/api/v1/organizations', credential: bearer, ok: { status: 200, body: [] } },
  'postmark-server-token': { method: 'GET', path: '/server', credential: header('x-postmark-server-token'), rejected: { status: 401, body: { ErrorCode: 10, Message: 'The Server Token you provided in the X-Postmark-Server-Token request header was invalid.' } } },
  'postmark-account-token': { method: 'GET', path: '/servers?count=1&offset=0', credential: header('x-postmark-account-token'), ok: { status: 200, body: { TotalCount: 0, Servers: [] } } },
  'pinecone-api-key': { method: 'GET', path: '/indexes', credential: header('api-key'), ok: { status: 200, body: { indexes: [] } } },
  'replicate-api-token': { method: 'GET', path: '/v1/account', credential: bearer },
  'cohere-api-key': { method: 'POST', path: '/v1/check-api-key', credential: bearer, ok: { status: 200, body: { valid: true } }, rejected: { status: 200, body: { valid: false } } },
  'mistral-api-key': { method: 'GET', path: '/v1/models', credential: bearer },
  'deepseek-api-key': { method: 'GET', path: '/user/balance', credential: bearer, ok: { status: 200, body: { is_available: true, balance_infos: [] } } },
  'langsmith-api-key': { method: 'GET', path: '/api/v1/workspaces', credential: header('x-api-key'), ok: { status: 200, body: [] } },
  'openrouter-api-key': { method: 'GET', path: '/api/v1/key', credential: bearer, ok: { status: 200, body: { data: { label: 'sk-or-v1-abc...123' } } } },
  'elevenlabs-api-key': { method: 'GET', path: '/v1/user', credential: header('xi-api-key') },
  'deepgram-api-key': { method: 'GET', path: '/v1/projects', credential: header('authorization', 'Token'), ok: { status: 200, body: { projects: [] } } },
  'assemblyai-api-key': { method: 'GET', path: '/v2/transcript?limit=1', credential: header('authorization') },
  'brevo-api-key': { method: 'GET', path: '/v3/account', credential: header('api-key') },
  'circleci-personal-api-token': { method: 'GET', path: '/api/v2/me', credential: header('circle-token') },
  'render-api-key': { method: 'GET', path: '/v1/owners', credential: bearer, ok: { status: 200, body: [] } },
  'neon-api-key': { method: 'GET', path: '/api/v2/users/me', credential: bearer },
  'airtable-personal-access-token': { method: 'GET', path: '/v0/meta/whoami', credential: bearer, ok: { status: 200, body: { id: 'usrX' } } },
  'linode-personal-access-token': { method: 'GET', path: '/v4/profile', credential: bearer, ok: { status: 200, body: { username: 'someone' } }, rejected: { status: 401, body: { errors: [{ reason: 'Invalid Token' }] } } },
  'pagerduty-api-key': { method: 'GET', path: '/abilities', credential: (req) => /^Token token=(.+)$/.exec(req.headers.authorization ?? '')?.[1], ok: { status: 200, body: { abilities: [] } } },
  'clickup-personal-api-token': { method: 'GET', path: '/api/v2/user', credential: header('authorization'), rejected: { status: 401, body: { err: 'Token invalid', ECODE: 'OAUTH_025' } } },
};

let server: Server;
let origin = '';
/** The contract in force and the one token the stand-in accepts. */
let current: { contract: Contract; token: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const c = current;
      const send = (a: Answer) => {
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {}));
      };
      if (!c || req.method !== c.contract.method || req.url !== c.contract.path) return send({ status: 404, body: { message: 'Not Found' } });
      const presented = c.contract.credential(req);
      send(presented === c.token ? (c.contract.ok ?? ok200) : (c.contract.rejected ?? unauthorized));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('read-only checks follow the documented request', () => {
  for (const [id, contract] of Object.entries(CONTRACTS)) {
    it(`${id}: a working token is active, another one inactive`, async () => {
      const def = rule(id);
      expect(def.verify, `${id} has a verify block`).toBeDefined();
      expect(def.revoke, `${id} is tested with its revocation in providers.test.ts`).toBeUndefined();
      const ex = def.examples.positive[0]!;
      const token = ex.secret ?? ex.text;
      current = { contract, token };
      const options = { endpoints: parseEndpoints([`${id}=${origin}`]), http: new HttpClient({ timeoutMs: 5000 }) };
      expect((await verifySecret(def, token, options)).status).toBe('active');
      expect((await verifySecret(def, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, options)).status).toBe('inactive');
    });
  }

  it('the stand-in does reject a check sent to another path (so the tests above can fail)', async () => {
    const def = rule('groq-api-key');
    const ex = def.examples.positive[0]!;
    current = { contract: { ...CONTRACTS['groq-api-key']!, path: '/v1/models' }, token: ex.secret ?? ex.text };
    const status = (await verifySecret(def, ex.secret ?? ex.text, { endpoints: parseEndpoints([`groq-api-key=${origin}`]), http: new HttpClient({ timeoutMs: 5000 }) })).status;
    expect(status).not.toBe('active');
  });
});
