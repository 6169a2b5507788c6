import { describe, expect, it } from 'vitest';
import { compileRules, scanText } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';
import { contextTriggers, valueOf, describeGrowth, MAX_PER_BYTE_GROWTH, measureGrowth, wholeScan } from './linear-time.js';

// Issue 14: a match touching its window's end was retried on wider text and the search went on
// past the window, widening at every match, to the end of the file (1 MB JWT log: 36 s+).
const compiled = compileRules(loadRuleDefinitions());
const cases = contextTriggers().filter((t) => t.name === 'JWTs in a log' || t.name === 'long base64 .env values');

describe('window searches stay inside their window', () => {
  it.each(cases.map((t) => [t.name, t] as const))('%s: scan time grows linearly', (_, t) => {
    let g = measureGrowth(t.name, wholeScan(compiled, 'app.log'), t.unit);
    if (g.perByte > MAX_PER_BYTE_GROWTH) g = measureGrowth(t.name, wholeScan(compiled, 'app.log'), t.unit, { small: 5, large: 3 });
    expect(g.perByte, describeGrowth(g)).toBeLessThanOrEqual(MAX_PER_BYTE_GROWTH);
  });

  it('a value longer than the window is still reported whole (the one bounded retry)', () => {
    const long = valueOf(7, 300);
    const text = `secret=${long}\nsecret=${long}\n`;
    const secrets = scanText(compiled, text, { path: '.env' }).map((f) => f.secret);
    expect(secrets).toEqual([long, long]);
  });
});
