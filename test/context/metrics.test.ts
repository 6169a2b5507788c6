import { describe, expect, it } from 'vitest';
import { fixtureMetrics } from './fixture-metrics.js';

describe('mixed context fixtures', () => {
  it('finds every planted secret and nothing in the hard negatives', () => {
    const m = fixtureMetrics();
    // The closing note of issue 4 quotes this line.
    console.log(`context fixtures: recall ${m.found}/${m.expected}, false positives ${m.falsePositives.length}`);
    expect(m.falsePositives).toEqual([]);
    expect(m.missed).toEqual([]);
    expect(m.falsePositives).toEqual([]);
  });
});
