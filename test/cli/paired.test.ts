import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';

describe('paired credentials in reports', () => {
  it('shows the Finout client id next to the secret key, redacted unless --show-secrets', async () => {
    const clientId = randomUUID();
    const secretKey = randomUUID();
    const dir = testTree({
      'call.sh': `curl https://app.finout.io/v1/cost-guard/scans \\\n  -H "x-finout-client-id: ${clientId}" \\\n  -H "x-finout-secret-key: ${secretKey}"\n`,
    });
    const text = await runCli(['scan', '.'], { cwd: dir });
    expect(text.stdout).toContain(`****…${secretKey.slice(-4)} (clientId ****…${clientId.slice(-4)})`);
    expect(text.stdout).not.toContain(clientId);
    expect(text.stdout).not.toContain(secretKey);
    const json = JSON.parse((await runCli(['scan', '-f', 'json', '.'], { cwd: dir })).stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ ruleId: 'finout-api-token', parts: { clientId: `****…${clientId.slice(-4)}` } });
    const raw = JSON.parse((await runCli(['scan', '-f', 'json', '--show-secrets', '.'], { cwd: dir })).stdout);
    expect(raw.findings[0]).toMatchObject({ secret: secretKey, parts: { clientId } });
  });
});
