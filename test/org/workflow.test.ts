/**
 * docs/examples/org-workflow.yml, run as a runner would: the plan step's script, each matrix
 * shard's script (with its env block's expressions filled in, GITHUB_API_URL pointing at a
 * stand-in GitHub), then the merge step, with `npx --yes tokenward@0` being this build.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { BIN, REPO_ROOT, testTree } from '../helpers/cli.js';
import { run } from '../adoption/run.js';
import { gitEnv } from '../git/repo.js';
import { makeSeededOrg } from './fixtures.js';
import { startStandinGitHub } from './standins.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { needs?: string; strategy?: { matrix: string }; outputs?: Record<string, string>; steps: Step[] }>;
}

describe('docs/examples/org-workflow.yml', () => {
  it('plans the matrix, scans each shard, merges one report with every secret', { timeout: 180_000 }, async () => {
    const workflow = parse(readFileSync(join(REPO_ROOT, 'docs/examples/org-workflow.yml'), 'utf8')) as Workflow;
    expect(workflow.jobs.scan!.strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    const dir = testTree();
    const org = makeSeededOrg(join(dir, 'remote'), 3);
    const github = await startStandinGitHub('acme', org.repos.map((r) => ({ name: r.name, cloneUrl: r.url })), { perPage: 2, rateLimit: {} });
    onTestFinished(() => github.close());
    const runner = join(dir, 'runner');
    const expressions = (shard: string): Record<string, string> => ({ '${{ matrix.shard }}': shard, '${{ github.repository_owner }}': 'acme', '${{ secrets.ORG_READ_TOKEN }}': '' });
    // Asynchronous: the stand-in API lives in this process and must keep answering.
    const runStep = async (step: Step, shard = '') => {
      const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expressions(shard)[v.replace(/\s+#.*$/, '')] ?? v]));
      const script = step.run!.replaceAll('npx --yes tokenward@0', `node ${BIN}`);
      writeFileSync(join(dir, 'output'), '');
      const r = await run('bash', ['-e', '-c', script], { cwd: runner, env: gitEnv({ ...env, HOME: join(dir, 'home'), XDG_CACHE_HOME: '', TOKENWARD_CACHE_DIR: '', GITHUB_OUTPUT: join(dir, 'output'), GITHUB_API_URL: github.url }) });
      return { ...r, output: readFileSync(join(dir, 'output'), 'utf8') };
    };
    mkdirSync(runner);

    const plan = await runStep(workflow.jobs.plan!.steps.find((s) => s.id === 'plan')!);
    expect(plan.status, plan.stderr).toBe(0);
    const matrix = JSON.parse(plan.output.replace(/^matrix=/, '')) as { shard: string[] };
    expect(matrix.shard).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const scanStep = workflow.jobs.scan!.steps.find((s) => s.name === 'Scan this shard')!;
    for (const shard of matrix.shard) {
      const r = await runStep(scanStep, shard);
      expect(r.status, r.stderr).toBe(0);
    }
    expect(readdirSync(runner).filter((f) => f.startsWith('shard-')).sort()).toEqual(['shard-1.json', 'shard-2.json', 'shard-3.json', 'shard-4.json']);
    // The cache folder the workflow caches is where the mirrors and shard states went.
    const cached = readdirSync(join(dir, 'home/.cache/tokenward/org'));
    expect(cached).toContain('mirrors');
    expect(cached.filter((f) => /^state-shard-\d-of-4\.json$/.test(f)).length).toBeGreaterThan(0);

    const merge = await runStep(workflow.jobs.report!.steps.find((s) => s.name === 'Merge the shards')!);
    expect(merge.status, merge.stderr).toBe(1); // the HTML line keeps the default: secrets found
    const sarif = JSON.parse(readFileSync(join(runner, 'org-report.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string> }> }> };
    const fps = new Set(sarif.runs.flatMap((r) => r.results.map((x) => x.partialFingerprints['tokenward/v2'])));
    expect([...fps].sort()).toEqual(org.secrets.map((s) => s.fingerprint).sort());
    expect(readFileSync(join(runner, 'org-report.html'), 'utf8')).toContain('tokenward-org-report');
  });
});
