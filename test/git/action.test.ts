import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv, makeRepo, type TestRepo } from './repo.js';

/** The composite action's own files, checked for shape and with its scan script really run. */
interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { runs: { using: string; steps: Step[] }; inputs: Record<string, { default?: string }> };
const scanStep = action.runs.steps.find((s) => s.id === 'scan')!;

const repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

/** Runs the action's scan script the way the runner would: bash, inputs and event data as env. */
function runScanStep(r: TestRepo, env: Record<string, string>): { code: number | null; out: string; outputs: Record<string, string>; sarif?: { runs: Array<{ results: Array<{ properties: Record<string, unknown> }> }> } } {
  const outputFile = join(r.dir, '..', 'github-output');
  writeFileSync(outputFile, '');
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
  const res = spawnSync('bash', ['-e', '-c', scanStep.run!], {
    cwd: r.dir,
    encoding: 'utf8',
    env: gitEnv({
      GITHUB_OUTPUT: outputFile,
      GITHUB_WORKSPACE: r.dir,
      TOKENWARD_BIN: BIN,
      TW_SCAN: inputs.scan!,
      TW_RANGE: '',
      TW_ARGS: '--no-config',
      TW_SARIF: inputs['sarif-file']!,
      TW_EVENT: 'push',
      TW_BEFORE: '',
      TW_AFTER: '',
      TW_PR_BASE: '',
      TW_PR_HEAD: '',
      TW_DEFAULT_BRANCH: 'main',
      ...env,
    }),
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('=') as [string, string]),
  );
  const sarifPath = join(r.dir, 'tokenward.sarif');
  return { code: res.status, out: res.stdout + res.stderr, outputs, sarif: existsSync(sarifPath) ? JSON.parse(readFileSync(sarifPath, 'utf8')) : undefined };
}

describe('action.yml', () => {
  it('is a composite action that sets up Node, uploads SARIF with codeql-action and needs no licence key', () => {
    expect(action.runs.using).toBe('composite');
    const uses = action.runs.steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toContain('actions/setup-node@v4');
    expect(uses.some((u) => u!.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
    expect(JSON.stringify(action).toLowerCase()).not.toMatch(/licen[cs]e[-_ ]?key/);
    // Event data goes through env, never spliced into the script.
    expect(scanStep.run).not.toContain('${{');
  });

  it('push: scans only the pushed range, writes SARIF and reports exit code 1', () => {
    const r = makeRepo();
    repos.push(r);
    const old = githubToken();
    r.commit('old', { 'old.txt': `${old}\n` });
    const before = r.commit('two', { 'a.txt': 'a\n' });
    const token = githubToken();
    const after = r.commit('leak', { 'b.txt': `${token}\n` });
    const res = runScanStep(r, { TW_BEFORE: before, TW_AFTER: after });
    expect(res.code, res.out).toBe(0);
    expect(res.out).toContain(`--range ${before}..${after}`);
    expect(res.outputs).toMatchObject({ 'exit-code': '1', findings: '1' });
    expect(res.out).toMatch(/::error file=b\.txt,line=1::/);
    expect(res.sarif!.runs[0]!.results).toHaveLength(1);
    expect(res.sarif!.runs[0]!.results[0]!.properties).toMatchObject({ commit: after });
    expect(readFileSync(join(r.dir, 'tokenward.sarif'), 'utf8')).not.toContain(token);
  });

  it('schedule: scans the full history', () => {
    const r = makeRepo();
    repos.push(r);
    r.commit('leak', { 'k.txt': `${githubToken()}\n` });
    r.commit('remove', { 'k.txt': 'gone\n' });
    const res = runScanStep(r, { TW_EVENT: 'schedule' });
    expect(res.out).toContain('scan --history');
    expect(res.outputs).toMatchObject({ 'exit-code': '1', findings: '1' });
    expect(res.sarif!.runs[0]!.results[0]!.properties).toMatchObject({ presentAtHead: false });
  });

  it('a clean push reports 0 and bad input fails the step with exit 2', () => {
    const r = makeRepo();
    repos.push(r);
    const before = r.commit('one', { 'a.txt': 'a\n' });
    const after = r.commit('two', { 'a.txt': 'b\n' });
    const clean = runScanStep(r, { TW_BEFORE: before, TW_AFTER: after });
    expect(clean.outputs).toMatchObject({ 'exit-code': '0', findings: '0' });
    const bad = runScanStep(r, { TW_SCAN: 'range', TW_RANGE: 'nope..HEAD' });
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/unknown revision in range "nope\.\.HEAD"/);
  });
});

describe('docs/examples/github-workflow.yml', () => {
  const workflow = parse(readFileSync(join(REPO_ROOT, 'docs/examples/github-workflow.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Step[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);

  it('uses only inputs the action declares, with values it accepts', () => {
    const step = steps.find((s) => s.uses?.startsWith('tokenward/tokenward@'));
    expect(step).toBeDefined();
    for (const key of Object.keys(step!.with ?? {})) expect(Object.keys(action.inputs), key).toContain(key);
    expect(['auto', 'history', 'range', 'staged', 'files']).toContain(step!.with!.scan);
    expect(['true', 'false']).toContain(step!.with!['fail-on-findings']);
  });

  it('checks out the history, may upload SARIF, runs on push, pull requests and a schedule', () => {
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with).toMatchObject({ 'fetch-depth': 0 });
    expect(workflow.permissions).toMatchObject({ contents: 'read', 'security-events': 'write' });
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request', 'schedule']));
  });

  it('is the workflow shown in docs/ci.md', () => {
    const text = readFileSync(join(REPO_ROOT, 'docs/examples/github-workflow.yml'), 'utf8');
    expect(readFileSync(join(REPO_ROOT, 'docs/ci.md'), 'utf8')).toContain(text);
  });
});

describe('action.yml install and upload', () => {
  const step = (name: string) => action.runs.steps.find((s) => s.name === name)!;

  it('installs a cached npm package instead of building the repository, unless version is "source"', () => {
    expect(step('Cache tokenward').uses).toMatch(/^actions\/cache@v4/);
    expect(step('Cache tokenward').with!.key).toContain('steps.install-spec.outputs.spec');
    expect(step('Install tokenward').run).toMatch(/npm install --prefix "\$TW_DIR"/);
    // npm ci of the monorepo only on request.
    expect(step('Install tokenward').run).toMatch(/if \[ "\$TW_SPEC" = source \]; then\n\s+# [^\n]*\n\s+\(cd "\$GITHUB_ACTION_PATH" && npm ci/);
  });

  it('a pull request from a fork skips the SARIF upload, and an upload error never fails a pull request', () => {
    const upload = step('Upload SARIF');
    expect(upload.if).toContain("github.event.pull_request.head.repo.fork != true");
    expect(upload.if).toContain("github.actor != 'dependabot[bot]'");
    expect((upload as Step & { 'continue-on-error'?: string })['continue-on-error']).toContain("github.event_name == 'pull_request'");
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('declares staged and pre-push hooks that take no file names, with no stage names that differ between pre-commit versions', () => {
    const hooks = parse(readFileSync(join(REPO_ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{ id: string; entry: string; stages?: string[]; pass_filenames: boolean; minimum_pre_commit_version: string }>;
    const byId = new Map(hooks.map((h) => [h.id, h]));
    expect(byId.get('tokenward')).toMatchObject({ entry: 'tokenward scan --staged', pass_filenames: false });
    expect(byId.get('tokenward-pre-push')).toMatchObject({ entry: 'tokenward scan --pre-push', pass_filenames: false });
    for (const h of hooks) {
      expect(h.stages, h.id).toBeUndefined();
      expect(h.minimum_pre_commit_version, h.id).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
