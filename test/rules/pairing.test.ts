import { describe, expect, it } from 'vitest';
import { compileRules, scanText, type RuleDefinition } from '@tokenward/engine';
import { ALL_RULES } from './catalogue.js';

const rule = (id: string) => ALL_RULES.find((d) => d.id === id)!;
const scan = (ids: string[], text: string) => scanText(compileRules(ids.map(rule)), text, { path: 'creds.txt' });

// Synthetic values (never real credentials).
const AWS_ID = 'AKIAQXTOKENWARDEXAMP';
const AWS_SECRET = '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';
const CLIENT_ID = '3f1c2a9e-7b4d-4e8a-9c1f-0a2b3c4d5e6f';
const SECRET_KEY = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

describe('paired credentials: one finding for the pair', () => {
  it('reports an AWS key id with its nearby secret access key as one finding, the secret redacted in parts', () => {
    const text = `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\nregion = eu-west-1\n`;
    const findings = scan(['aws-access-key'], text);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.secret).toBe(AWS_ID);
    expect(f.partSecrets).toEqual({ secretAccessKey: AWS_SECRET });
    expect(f.parts!.secretAccessKey).not.toContain(AWS_SECRET.slice(0, 8));
    expect(f.parts!.secretAccessKey).toMatch(/^\*+…[A-Za-z0-9/+]{4}$/);
    expect(JSON.stringify({ ...f, secret: undefined, partSecrets: undefined })).not.toContain(AWS_SECRET);
  });

  it('stays one finding when every rule runs (no generic finding for the partner)', () => {
    const compiled = compileRules(ALL_RULES);
    const text = `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`;
    expect(scanText(compiled, text, { path: 'credentials' }).map((f) => f.ruleId)).toEqual(['aws-access-key']);
    const finout = `FINOUT_CLIENT_ID=${CLIENT_ID}\nFINOUT_SECRET_KEY=${SECRET_KEY}\n`;
    expect(scanText(compiled, finout, { path: '.env' }).map((f) => f.ruleId)).toEqual(['finout-api-token']);
  });

  it('reports the key id alone when no secret is near, and nothing for a secret alone', () => {
    const alone = scan(['aws-access-key'], `AWS_ACCESS_KEY_ID=${AWS_ID}\n`);
    expect(alone).toHaveLength(1);
    expect(alone[0]!.parts).toBeUndefined();
    expect(scan(['aws-access-key'], `aws_secret_access_key = ${AWS_SECRET}\n`)).toEqual([]);
    // A git object id nearby is hex, not a secret access key.
    const sha = scan(['aws-access-key'], `AWS_ACCESS_KEY_ID=${AWS_ID}\ncommit 3f1c2a9e7b4d4e8a9c1f0a2b3c4d5e6f708192a3\n`);
    expect(sha[0]!.parts).toBeUndefined();
  });

  it('reports the Finout secret key with its client id (headers or variables) as one finding', () => {
    for (const text of [
      `curl https://app.finout.io/v1/cost-guard/scans -H 'x-finout-client-id: ${CLIENT_ID}' -H 'x-finout-secret-key: ${SECRET_KEY}'`,
      `FINOUT_SECRET_KEY=${SECRET_KEY}\nFINOUT_CLIENT_ID=${CLIENT_ID}\n`,
      `headers = {\n  "x-finout-client-id": "${CLIENT_ID}",\n  "x-finout-secret-key": "${SECRET_KEY}",\n}`,
    ]) {
      const findings = scan(['finout-api-token'], text);
      expect(findings, text).toHaveLength(1);
      expect(findings[0]!.secret).toBe(SECRET_KEY);
      expect(findings[0]!.partSecrets).toEqual({ clientId: CLIENT_ID });
      expect(findings[0]!.parts!.clientId).toBe('****…5e6f');
    }
  });

  it('ignores the placeholders the Finout documentation uses, and a client id on its own', () => {
    for (const text of [
      "-H 'x-finout-client-id: ${FINOUT_CLIENT_ID}' -H 'x-finout-secret-key: ${FINOUT_SECRET_KEY}'",
      'x-finout-secret-key: <your secret key>',
      `x-finout-client-id: ${CLIENT_ID}`,
    ]) {
      expect(scan(['finout-api-token'], text), text).toEqual([]);
    }
  });

  it('picks the partner closest to the match', () => {
    const other = 'ffffffff-1111-4222-8333-444444444444';
    const text = `FINOUT_CLIENT_ID=${other}\n${'#\n'.repeat(40)}FINOUT_CLIENT_ID=${CLIENT_ID}\nFINOUT_SECRET_KEY=${SECRET_KEY}\n`;
    expect(scan(['finout-api-token'], text)[0]!.partSecrets).toEqual({ clientId: CLIENT_ID });
  });

  it('drops the match when a required partner is missing', () => {
    const def: RuleDefinition = {
      id: 'example-pair',
      provider: 'Example',
      title: 'Example id + secret',
      severity: 'high',
      keywords: ['exid_'],
      pattern: '(exid_[0-9]{8})',
      pair: { name: 'secret', pattern: 'exsec_(?<value>[a-z]{12})', required: true, window: { before: 0, after: 64 } },
      examples: { positive: [], negative: [] },
    };
    const compiled = compileRules([def]);
    expect(scanText(compiled, 'exid_12345678', { path: 'a' })).toEqual([]);
    expect(scanText(compiled, 'exsec_abcdefghijkl exid_12345678', { path: 'a' })).toEqual([]);
    const found = scanText(compiled, 'exid_12345678 exsec_abcdefghijkl', { path: 'a' });
    expect(found.map((f) => [f.secret, f.partSecrets])).toEqual([['exid_12345678', { secret: 'abcdefghijkl' }]]);
  });

  it('reports a bad pair pattern with the rule and field', async () => {
    const { parseRuleFile } = await import('@tokenward/engine');
    const text = [
      'provider: Example',
      'rules:',
      '  - id: example-bad-pair',
      '    title: Example',
      '    severity: high',
      '    keywords: [exid_]',
      "    pattern: 'exid_[0-9]{8}'",
      '    pair:',
      '      name: secret',
      "      pattern: 'exsec_(['",
      '    examples:',
      '      positive: [exid_12345678, exid_87654321]',
      '      negative: [exid_1]',
    ].join('\n');
    expect(() => parseRuleFile(text, 'rules/example.yaml')).toThrow(/rules\/example\.yaml:\d+: rule "example-bad-pair" field "pair\.pattern"/);
  });
});
