import { describe, expect, it } from 'vitest';
import { base62, compileRules, crc32, scanText } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
import { valueOf } from './linear-time.js';

// Issue 14: a match touching its window's end was retried on wider text and the search went on
// past the window, widening at every match, to the end of the file (1 MB JWT log: 36 s+).
const compiled = compileRules(loadRuleDefinitions());

describe('window searches stay inside their window', () => {
  // Their growth with the input (JWT logs, long base64 values) is checked by super-linear.test.ts.
  it('dense hits: windows merged up to their limit, then split, lose no token at any cut', () => {
    // ~100 KB of tokens with every line length from 41 to 140 bytes, so the limit of a merged
    // window falls at every offset inside some token; each must be found exactly once.
    const tokens: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const body = valueOf(i, 30);
      const token = `ghp_${body}${base62(crc32(body), 6)}`;
      tokens.push(token);
      lines.push(`${'.'.repeat(i % 100)} ${token}`);
    }
    const found = scanText(compiled, lines.join('\n'), { path: 'dense.txt' }).filter((f) => f.ruleId === 'github-pat-classic');
    expect(found.map((f) => f.secret)).toEqual(tokens);
    expect(found.map((f) => f.start.line)).toEqual(tokens.map((_, i) => i + 1));
  });

  it('a value longer than the window is still reported whole (the one bounded retry)', () => {
    const long = valueOf(7, 300);
    const text = `secret=${long}\nsecret=${long}\n`;
    const secrets = scanText(compiled, text, { path: '.env' }).map((f) => f.secret);
    expect(secrets).toEqual([long, long]);
  });
});
