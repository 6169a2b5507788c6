import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempTree } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('paired credentials in reports', () => {
  it('shows the Finout client id next to the secret key, redacted unless --show-secrets', async () => {
    const clientId = randomUUID();
    const secretKey = randomUUID();
    const t = tempTree({
      'call.sh': `curl https://app.finout.io/v1/cost-guard/scans \\\n  -H "x-finout-client-id: ${clientId}" \\\n  -H "x-finout-secret-key: ${secretKey}"\n`,
    });
    cleanups.push(t.cleanup);
    const text = await runCli(['scan', '.'], { cwd: t.dir });
    expect(text.stdout).toContain(`****…${secretKey.slice(-4)} (clientId ****…${clientId.slice(-4)})`);
    expect(text.stdout).not.toContain(clientId);
    expect(text.stdout).not.toContain(secretKey);
    const json = JSON.parse((await runCli(['scan', '-f', 'json', '.'], { cwd: t.dir })).stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ ruleId: 'finout-api-token', parts: { clientId: `****…${clientId.slice(-4)}` } });
    const raw = JSON.parse((await runCli(['scan', '-f', 'json', '--show-secrets', '.'], { cwd: t.dir })).stdout);
    expect(raw.findings[0]).toMatchObject({ secret: secretKey, parts: { clientId } });
  });
});
