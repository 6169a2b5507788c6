import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUMS,
  base62,
  compilePrefilter,
  compileRules,
  crc32,
  parseRuleFile,
  RuleCompileError,
  RuleFileError,
  scanBytes,
  scanText,
  StreamScanner,
  type Finding,
  type RuleDefinition,
} from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
import { githubLookalike, githubToken } from '../helpers/tokens.js';

const defs = loadRuleDefinitions();
const compiled = compileRules(defs);
const origin = { path: 'mem.txt' };
const ghp = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'github-pat-classic');

describe('checksums', () => {
  it('matches the published unit vectors', () => {
    expect(crc32('hello')).toBe(907060870);
    // The same as zlib's own CRC-32 on any bytes.
    for (let n = 0; n < 200; n++) {
      const bytes = randomBytes(n);
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
    expect(base62(crc32('hello'), 6)).toBe('0zNvy2');
    expect(crc32('hello').toString(36).padStart(7, '0')).toBe('0f01gna');
  });

  it('accepts published GitHub vectors and rejects a one-character change', () => {
    const check = CHECKSUMS['crc32-base62']!;
    expect(check('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')).toBe(true);
    expect(check('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')).toBe(true);
    expect(check('ghp_sbUsUmRNn8X74dFU0DJ9Fm1mvdCgtH474T39')).toBe(false);
    expect(check('ghp_')).toBe(false);
  });
});

describe('prefilter', () => {
  it('finds every keyword occurrence, overlapping and case-insensitive, with byte offsets', () => {
    const pf = compilePrefilter(['he', 'she', 'his', 'hers', 'ghp_']);
    const hits: Array<[string, number, number]> = [];
    const text = Buffer.from('ushers SHE é GHP_x');
    pf.scan(text, (k, s, e) => hits.push([pf.keywords[k]!, s, e]));
    expect(hits).toEqual([
      ['she', 1, 4],
      ['he', 2, 4],
      ['hers', 2, 6],
      ['she', 7, 10],
      ['he', 8, 10],
      ['ghp_', 14, 18],
    ]);
  });

  it('finds a keyword at the very start and end of the input', () => {
    const pf = compilePrefilter(['abc']);
    const hits: number[] = [];
    pf.scan(Buffer.from('abcxxabc'), (_k, s) => hits.push(s));
    expect(hits).toEqual([0, 5]);
  });
});

describe('scanning', () => {
  it('finds a checksum-valid ghp_ token and ignores a wrong-checksum look-alike', () => {
    const good = githubToken();
    const bad = githubLookalike();
    const found = ghp(scanText(compiled, `a = "${good}"\nb = "${bad}"\n`, origin));
    expect(found).toHaveLength(1);
    expect(found[0]!.secret).toBe(good);
    expect(found[0]!.confidence).toBe('high');
  });

  it('gives 1-based line/column in UTF-16 units and an exclusive end', () => {
    const t = githubToken();
    const text = `first line\né😀 x ${t} tail\n`;
    const [f] = ghp(scanText(compiled, text, origin));
    expect(f).toBeDefined();
    expect(f!.start).toEqual({ line: 2, column: 7 });
    expect(f!.end).toEqual({ line: 2, column: 7 + t.length });
    // The column points at the token in the JavaScript string too.
    const line2 = text.split('\n')[1]!;
    expect(line2.slice(f!.start.column - 1, f!.end.column - 1)).toBe(t);
  });

  it('handles CRLF line endings and a token at the very start and end of input', () => {
    const a = githubToken();
    const b = githubToken();
    const found = ghp(scanText(compiled, `${a}\r\nx\r\n${b}`, origin));
    expect(found.map((f) => [f.start.line, f.start.column])).toEqual([
      [1, 1],
      [3, 1],
    ]);
  });

  it('does not report a token embedded in a longer word', () => {
    const t = githubToken();
    expect(ghp(scanText(compiled, `x${t}`, origin))).toHaveLength(0);
    expect(ghp(scanText(compiled, `${t}Z`, origin))).toHaveLength(0);
    expect(ghp(scanText(compiled, `${t}_`, origin))).toHaveLength(0);
  });

  it('redacts the value and fingerprints by rule + secret, never by position', () => {
    const t = githubToken();
    const [a] = ghp(scanText(compiled, `${t}\n`, { path: 'a' }));
    const [b] = ghp(scanText(compiled, `\n\n   ${t}`, { path: 'b' }));
    const [c] = ghp(scanText(compiled, githubToken(), { path: 'c' }));
    expect(a!.redacted).toBe(`ghp_****…${t.slice(-4)}`);
    expect(a!.redacted).not.toContain(t.slice(4, 20));
    expect(a!.fingerprint).toBe(b!.fingerprint);
    expect(a!.fingerprint).not.toBe(c!.fingerprint);
    expect(a!.fingerprint).not.toContain(t.slice(4, 12));
  });

  it('reports many tokens in one buffer in order', () => {
    const tokens = Array.from({ length: 200 }, () => githubToken());
    const text = tokens.map((t, i) => `line ${i}: ${t}`).join('\n');
    const found = ghp(scanText(compiled, text, origin));
    expect(found.map((f) => f.secret)).toEqual(tokens);
    expect(found.map((f) => f.start.line)).toEqual(tokens.map((_, i) => i + 1));
  });

  it('applies base placement for chunks that start mid-file', () => {
    const t = githubToken();
    const [f] = ghp(scanBytes(compiled, Buffer.from(`ab ${t}`), origin, { baseByte: 1000, baseLine: 7, baseColumn: 5 }));
    expect(f!.byteOffset).toBe(1003);
    expect(f!.start).toEqual({ line: 7, column: 8 });
  });

  it('runs the rule pattern only around keyword hits (a token without its keyword is invisible)', () => {
    // A rule whose keyword never appears cannot match even though its pattern would.
    const rule: RuleDefinition = {
      id: 'probe',
      provider: 'Test',
      title: 'probe',
      severity: 'low',
      keywords: ['zzkw'],
      pattern: '(secret-[0-9]{4})',
      examples: { positive: [], negative: [] },
    };
    const c = compileRules([{ ...rule, window: { before: 0, after: 32 } }]);
    expect(scanText(c, 'secret-1234', origin)).toHaveLength(0);
    expect(scanText(c, `zzkw ${' '.repeat(100)} secret-1234`, origin)).toHaveLength(0);
    expect(scanText(c, 'zzkw secret-1234', origin).map((f) => f.secret)).toEqual(['secret-1234']);
  });
});

describe('window bounds', () => {
  const rule = (window: RuleDefinition['window']): RuleDefinition => ({
    id: 'ctx',
    provider: 'Test',
    title: 'ctx',
    severity: 'low',
    keywords: ['apikey'],
    pattern: 'apikey\\s*=\\s*(?<secret>[a-z0-9]{8,})',
    window,
    examples: { positive: [], negative: [] },
  });

  it('finds a match that starts at the keyword', () => {
    const c = compileRules([rule({ after: 64 })]);
    const [f] = scanText(c, 'config apikey = abcdef123456\n', origin);
    expect(f!.secret).toBe('abcdef123456');
  });

  it('does not truncate a value that runs past the window end', () => {
    const c = compileRules([rule({ after: 16 })]);
    const value = 'a'.repeat(40);
    const [f] = scanText(c, `apikey = ${value} rest`, origin);
    expect(f!.secret).toBe(value);
  });
});

describe('stream scanning', () => {
  it('finds a token split across two pushes once, with absolute positions', () => {
    const t = githubToken();
    const text = `${'x'.repeat(100)}\nprefix ${t} suffix\nend\n`;
    const cut = text.indexOf(t) + 10;
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, origin, (f) => found.push(...f), { chunkSize: 16 });
    s.push(Buffer.from(text.slice(0, cut)));
    s.push(Buffer.from(text.slice(cut)));
    s.end();
    expect(ghp(found)).toHaveLength(1);
    expect(ghp(found)[0]!.start).toEqual({ line: 2, column: 8 });
  });

  it('gives the same findings byte-by-byte as in one piece', () => {
    const tokens = Array.from({ length: 5 }, () => githubToken());
    const text = tokens.map((t, i) => `${'é'.repeat(i)} k=${t};`).join('\n');
    const whole = ghp(scanText(compiled, text, origin));
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, origin, (f) => found.push(...f), { chunkSize: 7 });
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += 3) s.push(bytes.subarray(i, i + 3));
    s.end();
    const strip = (fs: Finding[]) => fs.map((f) => ({ s: f.secret, start: f.start, end: f.end, off: f.byteOffset }));
    expect(strip(ghp(found))).toEqual(strip(whole));
  });

  it('waits for what follows a match before reporting it: a later keyword can claim it, as in a whole-file scan', () => {
    // A Bearer token; two lines later the provider's host names it a Cloudflare token.
    const text = `Authorization: Bearer KN0bf1eOHytHCCdXkvavosP1NbvnFvInH9Te1V81\r\n${'x'.repeat(120)}\r\ncurl https://api.cloudflare.com/client/v4/user/tokens/verify\n`;
    const whole = scanText(compiled, text, origin).map((f) => [f.ruleId, f.secret]);
    expect(whole).toEqual([['cloudflare-api-token', 'KN0bf1eOHytHCCdXkvavosP1NbvnFvInH9Te1V81']]);
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, origin, (f) => found.push(...f), { chunkSize: 16 });
    for (const line of text.split(/(?<=\n)/)) s.push(Buffer.from(line));
    s.end();
    expect(found.map((f) => [f.ruleId, f.secret])).toEqual(whole);
  });

  it('reports a complete line on flush without waiting for more input', () => {
    const t = githubToken();
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, origin, (f) => found.push(...f));
    s.push(Buffer.from(`log: ${t}\npartial ghp_`));
    s.flush();
    expect(ghp(found)).toHaveLength(1);
    s.end();
    expect(ghp(found)).toHaveLength(1);
  });

  it('keeps memory bounded on an endless line and still finds tokens in it', () => {
    const found: Finding[] = [];
    const s = new StreamScanner(compiled, origin, (f) => found.push(...f), { chunkSize: 64 * 1024, maxLineBytes: 256 * 1024 });
    const tokens: string[] = [];
    for (let i = 0; i < 40; i++) {
      const t = githubToken();
      tokens.push(t);
      s.push(Buffer.from(`${'a '.repeat(20_000)}${t} `));
      // The retained buffer never grows with the line.
      expect((s as unknown as { pending: Buffer }).pending.length).toBeLessThan(1024 * 1024);
    }
    s.end();
    expect(ghp(found).map((f) => f.secret)).toEqual(tokens);
    expect(new Set(ghp(found).map((f) => f.start.line))).toEqual(new Set([1]));
  });
});

describe('rule files', () => {
  const good = `provider: Test
rules:
  - id: test-token
    title: Test token
    severity: high
    keywords: [tt_]
    pattern: '(tt_[a-z]{8})'
    examples:
      positive: [tt_abcdefgh, tt_hgfedcba]
      negative: [tt_abc]
`;

  it('parses a valid file and records where each rule came from', () => {
    const [rule] = parseRuleFile(good, 'rules/test.yaml');
    expect(rule).toMatchObject({ id: 'test-token', provider: 'Test', source: { file: 'rules/test.yaml', line: 3 } });
    expect(rule!.examples.positive[0]).toEqual({ text: 'tt_abcdefgh' });
  });

  const expectError = (text: string, parts: { line?: number; ruleId?: string; field?: string; message?: RegExp }) => {
    try {
      parseRuleFile(text, 'rules/bad.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(RuleFileError);
      const err = e as RuleFileError;
      expect(err.file).toBe('rules/bad.yaml');
      if (parts.line !== undefined) expect(err.line).toBe(parts.line);
      if (parts.ruleId !== undefined) expect(err.ruleId).toBe(parts.ruleId);
      if (parts.field !== undefined) expect(err.field).toBe(parts.field);
      if (parts.message) expect(err.message).toMatch(parts.message);
      expect(err.message).toContain('rules/bad.yaml');
      return;
    }
    throw new Error('expected a RuleFileError');
  };

  it('names file, line, rule and field for a bad enum value', () => {
    expectError(good.replace('severity: high', 'severity: urgent'), { line: 5, ruleId: 'test-token', field: 'severity', message: /must be one of/ });
  });

  it('names the missing field', () => {
    expectError(good.replace("    pattern: '(tt_[a-z]{8})'\n", ''), { ruleId: 'test-token', field: 'pattern', message: /is required/ });
  });

  it('names an unknown field and its line', () => {
    expectError(good.replace('    severity: high\n', '    severity: high\n    colour: red\n'), { line: 6, field: 'colour', message: /not a known field/ });
  });

  it('names an invalid regular expression', () => {
    expectError(good.replace("'(tt_[a-z]{8})'", "'(tt_[a-z'"), { line: 7, ruleId: 'test-token', field: 'pattern', message: /Invalid regular expression/ });
  });

  it('names an unknown checksum', () => {
    expectError(good.replace('    examples:', '    validators: { checksum: nope }\n    examples:'), { field: 'validators.checksum', message: /unknown checksum "nope"/ });
  });

  it('names a secret group that does not exist', () => {
    expectError(good.replace('    examples:', '    secretGroup: 3\n    examples:'), { field: 'secretGroup', message: /group 3 does not exist/ });
  });

  it('reports broken YAML with its line', () => {
    expectError(good.replace('title: Test token', 'title: [unclosed'), { message: /invalid YAML/ });
  });

  it('rejects two rules with the same id', () => {
    const [rule] = parseRuleFile(good, 'a.yaml');
    expect(() => compileRules([rule!, rule!])).toThrow(RuleCompileError);
  });
});
