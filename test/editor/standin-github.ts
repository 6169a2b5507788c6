/** A local stand-in for GitHub's credential-revocation and /user endpoints on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinGitHub {
  url: string;
  /** Tokens received by POST /credentials/revoke, in order. */
  revoked: string[];
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startStandinGitHub(): Promise<StandinGitHub> {
  const revoked: string[] = [];
  const requests: { method: string; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '' });
      if (req.method === 'POST' && req.url === '/credentials/revoke') {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { credentials?: string[] };
          revoked.push(...(body.credentials ?? []));
          res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
        } catch {
          res.writeHead(422).end('{"message":"Validation Failed"}');
        }
        return;
      }
      if (req.method === 'GET' && req.url === '/user') {
        const token = (req.headers.authorization ?? '').replace(/^(token|Bearer)\s+/i, '');
        if (token && !revoked.includes(token)) res.writeHead(200, { 'content-type': 'application/json' }).end('{"login":"octocat"}');
        else res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Bad credentials"}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    revoked,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
