/**
 * Endpoint overrides never silently send a token to the wrong host: a name that matches no
 * provider or rule is an error naming the known ones, clear text leaves the machine only when the
 * command line allows it, and every plan line says which override applies, from where, instead of what.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { FAKES, type FakeProvider } from './fake-providers.js';

const started: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function github(): Promise<FakeProvider> {
  const f = await FAKES.github().start();
  started.push(f);
  return f;
}

/** A project with one GitHub token and an empty user configuration folder. */
function project(): { dir: string; env: NodeJS.ProcessEnv; token: string } {
  const token = githubToken();
  return { dir: testTree({ 'a.env': `GITHUB_TOKEN=${token}\n` }), env: { XDG_CONFIG_HOME: testTree() }, token };
}

describe('an endpoint key that names no provider or rule', () => {
  for (const command of [['verify', '--yes'], ['revoke', '--yes'], ['scan', '--verify', '--yes']]) {
    it(`${command.join(' ')}: exit 2 naming the known providers and the likely one; nothing is sent`, async () => {
      const gh = await github();
      const { dir, env, token } = project();
      gh.add(token);
      const r = await runCli([...command, '--endpoint', `gthub=${gh.origin}`, '.'], { cwd: dir, env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/endpoint "gthub" \(--endpoint\) names no provider or rule that contacts a host\. Did you mean "github"\?/);
      expect(r.stderr).toMatch(/Known providers: .*github.*gitlab/);
      expect(gh.requests).toHaveLength(0);
    });
  }

  it('a rule id is a valid key too', async () => {
    const gh = await github();
    const { dir, env, token } = project();
    gh.add(token);
    const r = await runCli(['verify', '--yes', '--no-access', '--endpoint', `github-pat-classic=${gh.origin}`, '.'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^active/m);
    expect(gh.requests).toHaveLength(1);
  });
});

describe('plain http: leaves this machine only with --allow-insecure-endpoint', () => {
  it('refused without the flag (exit 2, nothing sent), shown in the plan with it', async () => {
    const { dir, env } = project();
    const refused = await runCli(['revoke', '--endpoint', 'github=http://10.11.12.13:8080', '.'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/plain http: to 10\.11\.12\.13.*clear text.*--allow-insecure-endpoint/);
    // The plan only (no --yes, no terminal): nothing is sent, but the insecure endpoint is accepted.
    const allowed = await runCli(['revoke', '--allow-insecure-endpoint', '--endpoint', 'github=http://10.11.12.13:8080', '.'], { cwd: dir, env });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('POST 10.11.12.13:8080/credentials/revoke  (override github=http://10.11.12.13:8080 from --endpoint, instead of api.github.com)');
  });

  it('loopback needs no flag', async () => {
    const { dir, env } = project();
    const r = await runCli(['revoke', '--endpoint', 'github=http://127.0.0.1:9', '.'], { cwd: dir, env });
    expect(r.code).toBe(0);
  });
});

describe('every plan line names the override, the effective host and where it was configured', () => {
  it('from the user\'s own configuration', async () => {
    const { dir, env } = project();
    mkdirSync(join(env.XDG_CONFIG_HOME!, 'tokenward'), { recursive: true });
    const userFile = join(env.XDG_CONFIG_HOME!, 'tokenward', 'config.yaml');
    writeFileSync(userFile, 'revoke:\n  endpoints:\n    GitHub: https://ghe.acme.example/api/v3\n');
    const r = await runCli(['revoke', '.'], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`POST ghe.acme.example/api/v3/credentials/revoke  (override GitHub=https://ghe.acme.example/api/v3 from ${userFile}, instead of api.github.com)`);
  });
});
