/**
 * The HTML triage report in a real browser (Debian Chromium driven by playwright-core from the
 * e2e tools cache, scripts/setup-test-tools.sh): grouped by repository and by provider, age,
 * verified status from a stand-in provider, still-in-HEAD, working filters, no secret anywhere in
 * the file or the page, and names that cannot inject markup. The screenshot is kept in
 * test-output/org/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildOrgReport, orgReportToHtml } from '@tokenward/org';
import { describe, expect, it, onTestFinished } from 'vitest';
import { REPO_ROOT, testTree } from '../helpers/cli.js';
import { startStandinGitHub } from '../editor/standin-github.js';
import { makeSeededOrg } from './fixtures.js';
import { tokenward } from './run.js';

const CACHE = process.env.TOKENWARD_E2E_CACHE ?? join(homedir(), '.cache/tokenward-e2e');
const PLAYWRIGHT = join(CACHE, 'tools/node_modules/playwright-core');
const CHROMIUM = process.env.TOKENWARD_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test-output/org');
const toolsMissing = !existsSync(PLAYWRIGHT) || !existsSync(CHROMIUM);

interface Page {
  goto(url: string): Promise<unknown>;
  locator(sel: string): { count(): Promise<number>; first(): { textContent(): Promise<string | null> } };
  selectOption(sel: string, value: string): Promise<unknown>;
  check(sel: string): Promise<unknown>;
  uncheck(sel: string): Promise<unknown>;
  fill(sel: string, text: string): Promise<unknown>;
  textContent(sel: string): Promise<string | null>;
  innerText(sel: string): Promise<string>;
  evaluate<T>(fn: string): Promise<T>;
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: string, fn: (x: { type(): string; text(): string }) => void): void;
}

async function browserPage(): Promise<Page> {
  const { chromium } = createRequire(import.meta.url)(PLAYWRIGHT) as { chromium: { launch(o: unknown): Promise<{ newPage(o: unknown): Promise<Page>; close(): Promise<void> }> } };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
  onTestFinished(() => browser.close());
  return browser.newPage({ viewport: { width: 1400, height: 1000 } });
}

describe.skipIf(toolsMissing && process.env.TOKENWARD_SKIP_EDITOR_E2E === '1')('HTML triage report in Chromium', () => {
  it('groups, filters and shows age, verified status and HEAD, with no secret in the file or the page', { timeout: 120_000 }, async () => {
    if (toolsMissing) throw new Error(`playwright-core or Chromium missing (${PLAYWRIGHT}, ${CHROMIUM}): run \`bash scripts/setup-test-tools.sh\` first, or set TOKENWARD_SKIP_EDITOR_E2E=1`);
    const dir = testTree();
    const org = makeSeededOrg(join(dir, 'remote'), 4);
    writeFileSync(join(dir, 'repos.txt'), [...org.repos.map((r) => r.url), `file://${join(dir, 'remote', 'missing')}`].join('\n'));
    // A stand-in GitHub answers the read-only check: the shared and one other token revoked (inactive), the rest active.
    const github = await startStandinGitHub();
    onTestFinished(() => github.close());
    const revoked = [org.secrets[0]!, org.secrets[2]!];
    github.revoked.push(...revoked.map((s) => s.token));
    const scan = await tokenward(['org', 'scan', '--repos', 'repos.txt', '--cache', join(dir, 'cache'), '--no-config', '--attempts', '1', '--verify', '--endpoint', `github=${github.url}`, '-f', 'json', '-o', 'report.json'], dir);
    expect(scan.code, scan.stderr).toBe(2);
    const merge = await tokenward(['org', 'merge', 'report.json', '-f', 'html', '-o', 'report.html'], dir);
    expect(merge.code, merge.stderr).toBe(2);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const s of org.secrets) expect(html.includes(s.token)).toBe(false);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReturnType<typeof buildOrgReport>;
    const locations = report.secrets.flatMap((s) => s.locations.map((l) => ({ s, l })));

    const page = await browserPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    const rows = () => page.locator('tbody tr').count();

    // By repository: one section per repository with findings, one row per place a secret is held.
    expect(await page.locator('section.group').count()).toBe(new Set(locations.map((x) => x.l.repositoryName)).size);
    expect(await rows()).toBe(locations.length);
    expect(await page.textContent('#count')).toBe(`Showing ${report.secrets.length} of ${report.secrets.length} secrets.`);
    const first = await page.innerText('section.group');
    expect(first).toMatch(/GitHub personal access token \(classic\)/);
    expect(first).toMatch(/\d+ y \d+ mo/); // age: committed in 2022
    expect(await page.innerText('#cards')).toMatch(/4\s+Repositories scanned[\s\S]*1\s+Could not be scanned/);
    expect(await page.innerText('#failed')).toContain('missing: cannot clone');

    // Filters.
    await page.check('#f-head');
    expect(await rows()).toBe(locations.filter((x) => x.l.presentAtHead).length);
    await page.uncheck('#f-head');
    await page.selectOption('#f-verified', 'inactive');
    expect(await rows()).toBe(locations.filter((x) => x.s.verified?.status === 'inactive').length);
    expect(await rows()).toBeGreaterThan(0);
    await page.selectOption('#f-verified', 'active');
    expect(await rows()).toBe(locations.filter((x) => x.s.verified?.status === 'active').length);
    await page.selectOption('#f-verified', '');
    await page.fill('#f-text', 'service-01');
    expect(await rows()).toBe(locations.filter((x) => x.l.repositoryName.includes('service-01')).length);
    await page.fill('#f-text', '');
    await page.selectOption('#f-group', 'provider');
    expect(await page.locator('section.group').count()).toBe(1);
    expect(await page.locator('section.group h2 span').first().textContent()).toBe('GitHub');
    await page.selectOption('#f-group', 'repository');

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'report.png'), fullPage: true });
    const text = await page.innerText('body');
    for (const s of org.secrets) expect(text.includes(s.token)).toBe(false);
    expect(errors).toEqual([]);

    // A hostile repository or file name is text, never markup.
    const hostile = buildOrgReport(
      {
        repositories: [
          { id: 'x', name: '<img src=x onerror="window.pwned=1">', url: 'file:///x', source: 'list', status: 'done', commits: 1, lastCommits: 1, problems: [], findings: [{ fingerprint: 'f'.repeat(64), ruleId: 'r', provider: 'P</script><script>window.pwned=2</script>', title: 't', severity: 'high', confidence: 'high', redacted: 'x****', commit: 'c'.repeat(40), path: '<b>p</b>', line: 1, column: 1, occurrences: 1, presentAtHead: true, date: '2024-01-01T00:00:00Z' }] },
        ],
      },
      { toolVersion: 'test' },
    );
    writeFileSync(join(dir, 'hostile.html'), orgReportToHtml(hostile));
    await page.goto(pathToFileURL(join(dir, 'hostile.html')).href);
    expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined();
    expect(await page.innerText('section.group')).toContain('<img src=x onerror="window.pwned=1">');
    expect(await page.innerText('tbody')).toContain('<b>p</b>:1');
  });
});
