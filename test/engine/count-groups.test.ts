import { describe, expect, it } from 'vitest';
import { loadRuleDefinitions } from '@tokenward/project';
import { countGroups } from '../../packages/engine/src/compile.js';

/** What the regex engine itself says: an empty alternative always matches, exposing every group. */
const enginesCount = (source: string, flags = ''): number => new RegExp(`${source}|`, flags).exec('')!.length - 1;

describe('countGroups (capturing groups counted from the pattern source)', () => {
  it('agrees with the regex engine on every built-in rule', () => {
    const defs = loadRuleDefinitions();
    expect(defs.length).toBeGreaterThan(100);
    for (const def of defs) expect([def.id, countGroups(def.pattern)]).toEqual([def.id, enginesCount(def.pattern, (def.flags ?? '').replace(/[gyd]/g, ''))]);
  });

  it.each([
    ['abc', 0],
    ['(a)(b)', 2],
    ['(?:a)(b)', 1],
    ['(?=a)(?!b)(?<=c)(?<!d)', 0],
    ['(?<secret>a)(b)', 2],
    ['\\(a\\)', 0],
    ['\\\\(a)', 1],
    ['[(]a[)](b)', 1],
    ['[\\]()](c)', 1],
    ['[^]](d)', 1],
    ['[](e)', 1],
    ['((a)|(?<n>b))', 3],
    ['a\\[(b)\\]', 1],
  ])('%s has %i', (source, n) => {
    expect(enginesCount(source)).toBe(n);
    expect(countGroups(source)).toBe(n);
  });
});
