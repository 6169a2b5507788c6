import { fingerprint, redact, type Finding, type RuleDefinition } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
import { randomBase62 } from '../helpers/tokens.js';

let cached: RuleDefinition[] | undefined;
/** The repository's rules (the data under test). */
export function repoRules(): RuleDefinition[] {
  cached ??= loadRuleDefinitions();
  return cached;
}

export function rule(id: string): RuleDefinition {
  const r = repoRules().find((d) => d.id === id);
  if (!r) throw new Error(`no rule ${id} in rules/`);
  return r;
}

/** A finding as the scanner would make it (the package does not re-validate secrets). */
export function findingFor(def: RuleDefinition, secret: string, path = 'src/config.ts', line = 3, commit?: string): Finding {
  const prefix = def.keywords.find((k) => secret.startsWith(k));
  return {
    ruleId: def.id,
    provider: def.provider,
    title: def.title,
    severity: def.severity,
    confidence: 'high',
    origin: commit ? { path, commit, kind: 'git-blob' } : { path, kind: 'file' },
    start: { line, column: 7 },
    end: { line, column: 7 + secret.length },
    byteOffset: 0,
    byteLength: secret.length,
    redacted: redact(secret, prefix ? [prefix] : []),
    fingerprint: fingerprint(def.id, secret),
    secret,
  };
}

const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
const letters = (n: number) => randomBase62(n * 2).replace(/[0-9]/g, '').padEnd(n, 'x').slice(0, n);

/** Fresh, random, correctly shaped tokens per rule (never real ones). */
export const TOKEN_MAKERS: Record<string, () => string> = {
  'github-pat-classic': () => `ghp_${randomBase62(36)}`,
  'github-oauth-token': () => `gho_${randomBase62(36)}`,
  'github-app-user-token': () => `ghu_${randomBase62(36)}`,
  'github-refresh-token': () => `ghr_${randomBase62(76)}`,
  'github-fine-grained-pat': () => `github_pat_${randomBase62(22)}_${randomBase62(59)}`,
  'github-app-installation-token': () => `ghs_${randomBase62(36)}`,
  'gitlab-pat-legacy': () => `glpat-${randomBase62(20)}`,
  'gitlab-pat-routable': () => `glpat-${randomBase62(27)}.01.0w${hex(7)}`,
  'slack-bot-token': () => `xoxb-1234567890-1234567890123-${randomBase62(24)}`,
  'slack-user-token': () => `xoxp-1234567890-1234567890-1234567890-${randomBase62(32)}`,
  'slack-app-token': () => `xapp-1-A0123456789-1234567890123-${hex(64)}`,
  'slack-config-token': () => `xoxe.xoxp-1-${randomBase62(164)}`,
  'npm-access-token': () => `npm_${randomBase62(36)}`,
  'digitalocean-pat': () => `dop_v1_${hex(64)}`,
  'digitalocean-oauth-token': () => `doo_v1_${hex(64)}`,
  'doppler-token': () => `dp.pt.${randomBase62(43)}`,
  'vercel-token': () => `vcp_${randomBase62(56)}`,
  'heroku-api-key': () => `HRKU-AA${randomBase62(58)}`,
  'huggingface-token': () => `hf_${letters(34)}`,
  'huggingface-org-token': () => `api_org_${letters(34)}`,
  'buildkite-api-token': () => `bkua_${hex(40)}`,
  'crates-io-api-token': () => `cio${randomBase62(32)}`,
  'cloudflare-api-token': () => randomBase62(40),
  'dropbox-short-lived-token': () => `sl.u.${randomBase62(140)}`,
  'dropbox-long-lived-token': () => `${letters(11).toLowerCase()}AAAAAAAAAA${randomBase62(43)}`,
  'twitch-access-token': () => randomBase62(60).toLowerCase().slice(0, 30),
  'cloudflare-user-api-token': () => `cfut_${randomBase62(40)}${hex(8)}`,
  'fastly-api-token': () => randomBase62(32),
};

/** Which stand-in serves which rule (every rule with a `revoke` block must be listed). */
export const FAKE_OF: Record<string, string> = {
  'github-pat-classic': 'github',
  'github-oauth-token': 'github',
  'github-app-user-token': 'github',
  'github-refresh-token': 'github',
  'github-fine-grained-pat': 'github',
  'github-app-installation-token': 'github',
  'gitlab-pat-legacy': 'gitlab',
  'gitlab-pat-routable': 'gitlab',
  'slack-bot-token': 'slack',
  'slack-user-token': 'slack',
  'slack-app-token': 'slack',
  'slack-config-token': 'slack',
  'npm-access-token': 'npm',
  'digitalocean-pat': 'digitalocean',
  'digitalocean-oauth-token': 'digitalocean',
  'doppler-token': 'doppler',
  'vercel-token': 'vercel',
  'heroku-api-key': 'heroku',
  'huggingface-token': 'huggingface',
  'huggingface-org-token': 'huggingface',
  'buildkite-api-token': 'buildkite',
  'crates-io-api-token': 'cratesio',
  'cloudflare-api-token': 'cloudflare',
  'dropbox-short-lived-token': 'dropbox',
  'dropbox-long-lived-token': 'dropbox',
  'twitch-access-token': 'twitch',
  'cloudflare-user-api-token': 'cloudflare',
  'fastly-api-token': 'fastly',
};

/**
 * A listener on 127.0.0.1 that records every connection and every byte it is sent and answers
 * nothing useful: a host a hostile configuration points tokens at. "Receives nothing" means no
 * connection at all (HTTPS included: a TLS hello is a connection).
 */
export interface CaptureServer {
  port: number;
  connections: number;
  received: () => string;
  close(): Promise<void>;
}

export async function startCapture(): Promise<CaptureServer> {
  const { createServer } = await import('node:net');
  const chunks: Buffer[] = [];
  const state = { connections: 0 };
  const server = createServer((socket) => {
    state.connections++;
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    // Answer like a server that accepts anything, so a client that got here would go on sending.
    socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get connections() {
      return state.connections;
    },
    received: () => Buffer.concat(chunks).toString('latin1'),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
