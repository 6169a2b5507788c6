import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findInlineAllow, INLINE_DIRECTIVES, scanText, type CompiledRules } from '@tokenward/engine';
import { loadRules } from '@tokenward/project';
import { runCli, tempTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

let compiled: CompiledRules;
beforeAll(() => {
  compiled = loadRules().compiled;
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Same-line directives, each in a different comment syntax as real repositories write them. */
const SAME_LINE: Array<[string, (t: string) => string]> = [
  ['tokenward:allow', (t) => `const token = "${t}"; // tokenward:allow`],
  ['gitleaks:allow', (t) => `TOKEN=${t} # gitleaks:allow`],
  ['betterleaks:allow', (t) => `token: ${t} # betterleaks:allow`],
  ['pragma: allowlist secret', (t) => `token = "${t}"  # pragma: allowlist secret`],
  ['secretlint-disable-line', (t) => `const t = "${t}"; /* secretlint-disable-line */`],
  ['trufflehog:ignore', (t) => `<!-- trufflehog:ignore --> ${t}`],
  ['kingfisher:ignore', (t) => `-- kingfisher:ignore\nSELECT '${t}'; -- kingfisher:ignore`],
  ['ggignore', (t) => `token = '${t}' ; ggignore`],
];

const NEXT_LINE: Array<[string, (t: string) => string]> = [
  ['tokenward:allow-next-line', (t) => `# tokenward:allow-next-line\nTOKEN=${t}`],
  ['pragma: allowlist nextline secret', (t) => `# pragma: allowlist nextline secret\ntoken = "${t}"`],
  ['secretlint-disable-next-line', (t) => `// secretlint-disable-next-line\nconst t = "${t}";`],
];

describe('inline directives (engine)', () => {
  it('knows every directive the issue lists, ours and other tools\'', () => {
    expect(INLINE_DIRECTIVES.map((d) => d.name).sort()).toEqual(
      [
        'tokenward:allow',
        'tokenward:allow-next-line',
        'gitleaks:allow',
        'betterleaks:allow',
        'pragma: allowlist secret',
        'pragma: allowlist nextline secret',
        'secretlint-disable-line',
        'secretlint-disable-next-line',
        'trufflehog:ignore',
        'kingfisher:ignore',
        'ggignore',
      ].sort(),
    );
  });

  for (const [name, write] of [...SAME_LINE, ...NEXT_LINE]) {
    it(`${name} marks the finding it applies to, with the directive's line`, () => {
      const token = githubToken();
      const text = `first line\n${write(token)}\nlast line\n`;
      const findings = scanText(compiled, text, { path: 'x' });
      expect(findings).toHaveLength(1);
      const f = findings[0]!;
      expect(f.inlineAllow?.directive).toBe(name);
      const directiveLine = text.split('\n').findIndex((l) => l.toLowerCase().includes(name.split(' ')[0]!.toLowerCase())) + 1;
      expect(f.inlineAllow?.line).toBe(name.includes('next') ? f.start.line - 1 : f.start.line);
      if (name.includes('next')) expect(directiveLine).toBe(f.start.line - 1);
    });
  }

  it('is case-insensitive (comment styles vary) but needs the whole word', () => {
    const t = githubToken();
    expect(scanText(compiled, `x = "${t}" # GITLEAKS:ALLOW`, { path: 'x' })[0]!.inlineAllow?.directive).toBe('gitleaks:allow');
    expect(scanText(compiled, `x = "${t}" # gitleaks:allowed`, { path: 'x' })[0]!.inlineAllow).toBeUndefined();
    expect(scanText(compiled, `x = "${t}" # notggignore`, { path: 'x' })[0]!.inlineAllow).toBeUndefined();
  });

  it('a next-line directive does not hide its own line, nor the line after next', () => {
    const a = githubToken();
    const b = githubToken();
    const c = githubToken();
    const text = `A=${a} # tokenward:allow-next-line\nB=${b}\nC=${c}\n`;
    const byToken = new Map(scanText(compiled, text, { path: 'x' }).map((f) => [f.secret, f]));
    expect(byToken.get(a)!.inlineAllow).toBeUndefined();
    expect(byToken.get(b)!.inlineAllow?.directive).toBe('tokenward:allow-next-line');
    expect(byToken.get(c)!.inlineAllow).toBeUndefined();
  });

  it('a same-line directive on the line before does not hide the next line', () => {
    const a = githubToken();
    const b = githubToken();
    const findings = scanText(compiled, `# gitleaks:allow\nA=${a}\n\n# pragma: allowlist secret\nB=${b}\n`, { path: 'x' });
    expect(findings.map((f) => f.inlineAllow)).toEqual([undefined, undefined]);
  });

  it('a directive for one secret leaves other secrets on other lines reported', () => {
    const a = githubToken();
    const b = githubToken();
    const findings = scanText(compiled, `A=${a} # tokenward:allow\nB=${b}\n`, { path: 'x' });
    expect(findings.find((f) => f.secret === a)!.inlineAllow).toBeDefined();
    expect(findings.find((f) => f.secret === b)!.inlineAllow).toBeUndefined();
  });

  it('works on CRLF files and in the middle of long lines', () => {
    const t = githubToken();
    const long = `${'x'.repeat(50_000)} "${t}" ${'y'.repeat(100)} // tokenward:allow\r\nnext\r\n`;
    expect(scanText(compiled, long, { path: 'x' })[0]!.inlineAllow?.directive).toBe('tokenward:allow');
    const crlf = `# tokenward:allow-next-line\r\nT=${t}\r\n`;
    expect(scanText(compiled, crlf, { path: 'x' })[0]!.inlineAllow?.line).toBe(1);
  });

  it('findInlineAllow works on raw bytes for callers that hold a buffer (language server)', () => {
    const t = githubToken();
    const bytes = new TextEncoder().encode(`ok\n// secretlint-disable-next-line\nconst t = "${t}";\n`);
    const start = Buffer.from(bytes).indexOf(t);
    expect(findInlineAllow(bytes, start, start + t.length, 3)).toEqual({ directive: 'secretlint-disable-next-line', tool: 'secretlint', line: 2 });
    expect(findInlineAllow(bytes, 0, 2, 1)).toBeUndefined();
  });
});

describe('inline directives (CLI)', () => {
  it('hides every directive\'s finding in a real scan and reports the rest; inlineIgnores: false turns them off', async () => {
    const files: Record<string, string> = {};
    const hidden: string[] = [];
    [...SAME_LINE, ...NEXT_LINE].forEach(([, write], i) => {
      const t = githubToken();
      hidden.push(t);
      files[`src/f${i}.txt`] = `${write(t)}\n`;
    });
    const visible = githubToken();
    files['src/plain.ts'] = `export const t = "${visible}";\n`;
    const t = tempTree(files);
    cleanups.push(t.cleanup);

    const r = await runCli(['scan', '-f', 'json', '.'], { cwd: t.dir });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings.map((f: { path: string }) => f.path)).toEqual(['src/plain.ts']);
    expect(report.suppressedCount).toBe(hidden.length);

    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${t.dir}/.tokenward.yaml`, 'inlineIgnores: false\n');
    const all = JSON.parse((await runCli(['scan', '-f', 'json', '.'], { cwd: t.dir })).stdout);
    expect(all.findings).toHaveLength(hidden.length + 1);
  });

  it('honours directives in streamed standard input', async () => {
    const a = githubToken();
    const b = githubToken();
    const r = await runCli(['scan', '-f', 'jsonl', '-'], { input: `log ${a} gitleaks:allow\nlog ${b}\n` });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].line).toBe(2);
  });
});
