import { describe, expect, it } from 'vitest';
import { compileRules, scanBytes, type RuleDefinition } from '@tokenward/engine';

const rule = (id: string, pattern: string): RuleDefinition => ({
  id,
  provider: 'Test',
  title: id,
  severity: 'high',
  confidence: 'medium',
  keywords: ['acme'],
  pattern,
  examples: { positive: [], negative: [] },
});

describe('positions of overlapping findings', () => {
  // Two rules of equal confidence claiming overlapping text both report; the second one's start lies
  // before the first one's end. Its position used to be recounted from the chunk's first byte,
  // ignoring where the chunk sits (a stream chunk, a diff hunk): wrong line, wrong column.
  const compiled = compileRules([rule('acme-long', 'acme_[a-z]{8}_[0-9]{6}'), rule('acme-tail', '[a-z]{4}_[0-9]{6}_x')]);
  const text = Buffer.from('first line\n  id = acme_abcdefgh_123456_x\n');

  it('are exact in a chunk placed mid-file', () => {
    const findings = scanBytes(compiled, text, { path: 'a.txt' }, { baseByte: 1000, baseLine: 40, baseColumn: 1 });
    expect(findings.map((f) => [f.ruleId, f.start.line, f.start.column, f.end.line, f.end.column])).toEqual([
      ['acme-long', 41, 8, 41, 28],
      ['acme-tail', 41, 17, 41, 30],
    ]);
  });
});
