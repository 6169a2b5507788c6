import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { gitEnv } from '../git/repo.js';
import { run, withoutNpmConfig } from './run.js';

/**
 * What a user of another project gets: every publishable workspace packed with `npm pack` (as
 * `npm publish` would), installed from those tarballs into an empty project with `npm install`,
 * then used the way the README's Install section says.
 */
/** Every workspace that is published (not `private`, as the VS Code extension is): a package
 * added later is packed too, so a missing dependency on it shows here. */
const WORKSPACES = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces
  .filter((ws) => !(JSON.parse(readFileSync(join(REPO_ROOT, ws, 'package.json'), 'utf8')) as { private?: boolean }).private)
  .map((ws) => ws.replace(/^packages\//, ''));

const sh = (cmd: string, args: string[], cwd: string) => run(cmd, args, { cwd, env: withoutNpmConfig(gitEnv()) });

function tarList(tgz: string): string[] {
  return execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^package\//, ''));
}

describe('installing Tokenward into another project from packed tarballs', () => {
  it('packs only built code and rules, installs with npm, scans, installs the hook and blocks a commit', { timeout: 600_000 }, async () => {
    const packs = testTree();
    const tarballs: Record<string, string> = {};
    for (const ws of WORKSPACES) {
      const res = await sh('npm', ['pack', '--workspace', `packages/${ws}`, '--pack-destination', packs, '--json'], REPO_ROOT);
      expect(res.status, res.stderr).toBe(0);
      const [info] = JSON.parse(res.stdout) as Array<{ filename: string }>;
      tarballs[ws] = join(packs, info!.filename);
    }
    // Contents: dist (and rules for project), no sources, no build info.
    for (const [ws, tgz] of Object.entries(tarballs)) {
      const files = tarList(tgz);
      expect(files.filter((f) => f.endsWith('.tsbuildinfo')), ws).toEqual([]);
      expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/')), ws).toEqual([]);
      expect(files).toContain('package.json');
    }
    const projectFiles = tarList(tarballs.project!);
    expect(projectFiles).toContain('rules/github.yaml');
    expect(projectFiles).toContain('dist/index.js');
    // The command's package carries the CLI bundled (build.mjs at prepack) with the rules beside it.
    expect(tarList(tarballs.tokenward!)).toEqual(expect.arrayContaining(['bin/tokenward.js', 'redact.js', 'dist/cli.js', 'dist/pool-worker.js', 'rules/github.yaml']));
    // Packing put a copy of rules/ into packages/project (and the bundle into packages/tokenward)
    // for the tarball only, and removed it.
    expect(readdirSync(join(REPO_ROOT, 'packages/project'))).not.toContain('rules');
    expect(readdirSync(join(REPO_ROOT, 'packages/tokenward'))).not.toEqual(expect.arrayContaining(['dist']));
    expect(readdirSync(join(REPO_ROOT, 'packages/tokenward'))).not.toContain('rules');

    // The GitHub Action's install steps, run as the runner would (with these tarballs as the spec).
    const actionSteps = (parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { runs: { steps: Array<{ name?: string; id?: string; run?: string }> } }).runs.steps;
    const runner = testTree();
    const runStep = async (name: string, env: Record<string, string>) => {
      const script = actionSteps.find((st) => st.name === name)!.run!;
      writeFileSync(join(runner, 'output'), '');
      writeFileSync(join(runner, 'env'), '');
      const res = await run('bash', ['-e', '-c', script], {
        cwd: runner,
        env: withoutNpmConfig(gitEnv({ GITHUB_ACTION_PATH: REPO_ROOT, RUNNER_TOOL_CACHE: join(runner, 'tool-cache'), GITHUB_OUTPUT: join(runner, 'output'), GITHUB_ENV: join(runner, 'env'), ...env })),
      });
      const kv = (file: string) => Object.fromEntries(readFileSync(join(runner, file), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      return { ...res, outputs: kv('output'), env: kv('env') };
    };
    const byDefault = await runStep('Resolve tokenward version', { TW_VERSION: '' });
    expect(byDefault.outputs.spec).toBe('tokenward@0.1.0');
    const resolved = await runStep('Resolve tokenward version', { TW_VERSION: Object.values(tarballs).join(' ') });
    const installed = await runStep('Install tokenward', { TW_SPEC: resolved.outputs.spec!, TW_DIR: resolved.outputs.dir! });
    expect(installed.status, installed.stderr).toBe(0);
    expect(installed.env.TOKENWARD_BIN).toBe(join(resolved.outputs.dir!, 'node_modules/tokenward/bin/tokenward.js'));
    const again = await runStep('Install tokenward', { TW_SPEC: resolved.outputs.spec!, TW_DIR: resolved.outputs.dir! });
    expect(again.stdout).toContain('cached install');
    const leak = testTree({ 'deploy.sh': `export GH_TOKEN=${githubToken()}\n` });
    expect((await sh('node', [installed.env.TOKENWARD_BIN!, 'scan', '-q', leak], leak)).status).toBe(1);

    // An empty project, as a user has it.
    const app = testTree({ 'package.json': JSON.stringify({ name: 'app', version: '1.0.0', private: true }) });
    const install = await sh('npm', ['install', '--no-audit', '--no-fund', '--save-dev', ...Object.values(tarballs)], app);
    expect(install.status, install.stderr).toBe(0);

    // npx tokenward scan: a token is found (exit 1), reported redacted.
    const token = githubToken();
    mkdirSync(join(app, 'src'));
    writeFileSync(join(app, 'src/config.js'), `export const token = "${token}";\n`);
    const scan = await sh('npx', ['--no-install', 'tokenward', 'scan', 'src'], app);
    expect(scan.status, scan.stderr).toBe(1);
    expect(scan.stdout).toContain('src/config.js');
    expect(scan.stdout).toContain('github-pat-classic');
    expect(scan.stdout).not.toContain(token);

    // The bin runs the bundle, not the workspace packages' modules: a resolve hook lists every
    // @tokenward module loaded. Worker threads (--threads 2) load the bundled worker.
    const hookUrl = `data:text/javascript,${encodeURIComponent('export async function resolve(s, c, next) { const r = await next(s, c); if (/tokenward/.test(r.url)) process.stderr.write("LOADED " + r.url + "\\n"); return r; }')}`;
    const traced = await sh('node', ['--import', `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hookUrl)});`)}`, join(app, 'node_modules/.bin/tokenward'), 'scan', '--threads', '2', 'src'], app);
    expect(traced.status, traced.stderr).toBe(1);
    expect(traced.stdout).toContain('src/config.js');
    const loaded = traced.stderr.split('\n').filter((l) => l.startsWith('LOADED '));
    expect(loaded.some((l) => l.endsWith('node_modules/tokenward/dist/cli.js'))).toBe(true);
    expect(loaded.filter((l) => l.includes('node_modules/@tokenward/'))).toEqual([]);

    // The library entry points.
    const lib = await sh('node', ['--input-type=module', '-e', `import { createRedactor } from 'tokenward/redact'; import { main } from 'tokenward'; process.stdout.write(String(typeof main) + ' ' + createRedactor()(process.argv[1]));`, `Authorization: token ${token}`], app);
    expect(lib.status, lib.stderr).toBe(0);
    expect(lib.stdout).toMatch(/^function Authorization: token ghp_/);
    expect(lib.stdout).not.toContain(token);

    // tokenward hook install, then a commit that stages a token is blocked.
    writeFileSync(join(app, '.gitignore'), 'node_modules/\n');
    expect((await sh('git', ['init', '-q', '-b', 'main'], app)).status).toBe(0);
    const hook = await sh('npx', ['--no-install', 'tokenward', 'hook', 'install'], app);
    expect(hook.status, hook.stderr).toBe(0);
    expect(hook.stdout).toContain('installed pre-commit hook');
    await sh('git', ['add', '-A'], app);
    const blocked = await sh('git', ['commit', '-q', '-m', 'leak'], app);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('src/config.js');
    expect(blocked.stderr).toContain('commit blocked');
    expect((await sh('git', ['rev-parse', '--verify', '-q', 'HEAD'], app)).status).not.toBe(0);
    // Without the token the same commit goes through.
    writeFileSync(join(app, 'src/config.js'), 'export const token = process.env.GITHUB_TOKEN;\n');
    await sh('git', ['add', '-A'], app);
    const clean = await sh('git', ['commit', '-q', '-m', 'clean'], app);
    expect(clean.status, clean.stderr).toBe(0);
  });
});
