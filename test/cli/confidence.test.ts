import { describe, expect, it } from 'vitest';
import { runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

describe('minimum confidence', () => {
  // A GitHub token inside a Basic credential is only reached by decoding the generic header
  // match; dropping the generic (low) rules up front would lose it.
  const token = githubToken();
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  const files = {
    'curl.sh': `curl -H "Authorization: Basic ${basic}" https://api.github.com/user\n`,
    // Short: a generic finding scored low (a long generated-looking one would score medium).
    'app.py': `api_key = "q8Zr2Lm0Xv7"\n`,
  };

  for (const how of ['flag', 'config'] as const) {
    it(`high (${how}) keeps a checksum-valid token found by decoding and drops generic findings`, async () => {
      const dir = testTree(how === 'config' ? { ...files, '.tokenward.yaml': 'minConfidence: high\n' } : files);
      const args = how === 'flag' ? ['scan', '-f', 'json', '--min-confidence', 'high', '.'] : ['scan', '-f', 'json', '.'];
      const r = await runCli(args, { cwd: dir });
      const findings = JSON.parse(r.stdout).findings as Array<{ ruleId: string; path: string; confidence: string }>;
      expect(findings.map((f) => [f.path, f.ruleId, f.confidence])).toEqual([['curl.sh', 'github-pat-classic', 'high']]);
    });
  }

  it('the default shows generic findings, marked as such in text output', async () => {
    const dir = testTree(files);
    const r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.stdout).toMatch(/app\.py\n.*\(generic\)/);
    expect(r.stdout).toMatch(/curl\.sh\n.*github-pat-classic/);
  });
});
