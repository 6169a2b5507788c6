import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';

const pick = (alphabet: string, n: number) => [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');

describe('a paired credential is located at both of its lines', () => {
  it('JSON partner.line and SARIF locations/relatedLocations point at the AWS secret access key', async () => {
    const keyId = `AKIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
    const secret = `${pick('abcdefghijklmnopqrstuvwxyz', 10)}${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 10)}${pick('0123456789', 10)}${pick('abcdefghijklmnopqrstuvwxyz/+', 10)}`;
    const dir = testTree({ 'credentials.ini': `[default]\naws_access_key_id = ${keyId}\n\n# rotated 2025-03\naws_secret_access_key = ${secret}\n` });
    const json = JSON.parse((await runCli(['scan', '-f', 'json', '.'], { cwd: dir })).stdout);
    const aws = json.findings.filter((f: { ruleId: string }) => f.ruleId.startsWith('aws'));
    expect(aws).toHaveLength(1);
    expect(aws[0]).toMatchObject({ line: 2, partner: { name: 'secretAccessKey', line: 5, column: 25 } });
    // One credential, one finding: the generic rule does not report the secret again.
    expect(json.findings).toHaveLength(1);
    const sarif = JSON.parse((await runCli(['scan', '-f', 'sarif', '.'], { cwd: dir })).stdout);
    const [result] = sarif.runs[0].results;
    expect(result.locations.map((l: { physicalLocation: { region: { startLine: number } } }) => l.physicalLocation.region.startLine)).toEqual([2, 5]);
    expect(result.relatedLocations).toEqual([expect.objectContaining({ id: 1, message: { text: 'secretAccessKey' }, physicalLocation: expect.objectContaining({ region: expect.objectContaining({ startLine: 5 }) }) })]);
    expect(JSON.stringify(sarif)).not.toContain(secret);
  });
});
