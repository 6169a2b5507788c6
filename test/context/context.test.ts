import { describe, expect, it } from 'vitest';
import { Buffer } from 'node:buffer';
import { compileRules, scanText, StreamScanner, type Finding } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
import { githubToken } from '../helpers/tokens.js';
import { runCli } from '../helpers/cli.js';

const compiled = compileRules(loadRuleDefinitions());
const scan = (text: string, path = 'x.txt') => scanText(compiled, text, { path });

describe('decoding', () => {
  it('reports a provider token hidden in a Basic credential at the encoded text, once', () => {
    const t = githubToken();
    const enc = Buffer.from(`x-access-token:${t}`).toString('base64');
    const text = `Authorization: Basic ${enc}\n`;
    const found = scan(text);
    expect(found.map((f) => [f.ruleId, f.secret, f.byteOffset])).toEqual([['github-pat-classic', t, text.indexOf(enc)]]);
  });

  it('decodes a percent-encoded URL password before checking it', () => {
    const [f] = scan('https://svc:Zq8%2Bm2Lx9Tz4p@proxy.corp/');
    // Long and generated-looking: a generic finding scored medium.
    expect(f).toMatchObject({ ruleId: 'generic-url-password', secret: 'Zq8+m2Lx9Tz4p', confidence: 'medium' });
  });
});

describe('JS/TS syntax tree', () => {
  it('follows an identifier in an Authorization template to its const literal', () => {
    const code = "const K = 'Lq9Zx3Vm7Rt2Wn5Kb8Pd';\nfetch(u, { headers: { Authorization: `Bearer ${K}` } });\n";
    const [f] = scan(code, 'a.ts');
    expect(f).toMatchObject({ ruleId: 'generic-js-secret-reference', secret: 'Lq9Zx3Vm7Rt2Wn5Kb8Pd', start: { line: 1, column: 12 } });
  });

  it('drops a candidate the tree shows is not a secret-context literal', () => {
    expect(scan("log('token = Lq9Zx3Vm7Rt2Wn5Kb8Pd in docs');\n", 'a.ts')).toEqual([]);
    // The same text outside JS/TS keeps its lexical verdict.
    expect(scan("log('token = Lq9Zx3Vm7Rt2Wn5Kb8Pd in docs');\n", 'a.txt')).toHaveLength(1);
  });
});

describe('streams', () => {
  it('finds generic secrets in an endless log line by line', () => {
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, { path: '<stdin>' }, (f) => found.push(...f), { chunkSize: 64 });
    for (let i = 0; i < 200; i++) s.push(Buffer.from(`2025-03-12T10:00:${i % 60}Z pod-1 > X-Request-Id: ${i}\n`));
    s.push(Buffer.from('2025-03-12T10:01:00Z pod-1 > Authorization: Bearer Pq3Xz8Lm2Rv7Tn5Wk9Bd\n'));
    s.end();
    expect(found.map((f) => [f.ruleId, f.start.line])).toEqual([['generic-authorization-header', 201]]);
  });
});

describe('tokenward scan --min-confidence', () => {
  it('filters generic findings and rejects a bad value', async () => {
    // A short generic credential scores low, a long generated-looking one medium.
    const input = 'Authorization: Bearer Pq3Xz8Lm2R\nAuthorization: Bearer Pq3Xz8Lm2Rv7Tn5Wk9Bd\n';
    const all = await runCli(['scan', '-', '-f', 'json'], { input });
    expect(JSON.parse(all.stdout).findings.map((f: { confidence: string; severity: string }) => [f.confidence, f.severity])).toEqual([['low', 'medium'], ['medium', 'high']]);
    const some = await runCli(['scan', '-', '-f', 'json', '--min-confidence', 'medium'], { input });
    expect(JSON.parse(some.stdout).findings).toHaveLength(1);
    const none = await runCli(['scan', '-', '-f', 'json', '--min-confidence', 'high'], { input });
    expect(JSON.parse(none.stdout).findings).toHaveLength(0);
    expect(none.code).toBe(0);
    const bad = await runCli(['scan', '-', '--min-confidence', 'certain'], { input: '' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-confidence takes low, medium or high/);
  });
});
