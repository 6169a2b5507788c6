import { describe, expect, it } from 'vitest';
import { compilePrefilter } from '../../packages/engine/src/prefilter.js';

/** Every case-insensitive occurrence of every keyword, found the slow obvious way. */
function naiveHits(keywords: string[], text: string, from = 0, to = text.length): string[] {
  const lower = text.toLowerCase();
  const hits: string[] = [];
  keywords.forEach((kw, k) => {
    for (let i = lower.indexOf(kw, from); i !== -1 && i + kw.length <= to; i = lower.indexOf(kw, i + 1)) hits.push(`${k}:${i}:${i + kw.length}`);
  });
  return hits.sort();
}

function prefilterHits(keywords: string[], text: string, from?: number, to?: number): string[] {
  const hits: string[] = [];
  compilePrefilter(keywords).scan(Buffer.from(text, 'latin1'), (k, s, e) => hits.push(`${k}:${s}:${e}`), from, to);
  return hits.sort();
}

/** Compares hit lists by their first difference: a diff of a million-entry array would drown the report. */
function expectSameHits(actual: string[], expected: string[]): void {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const same = i === actual.length && i === expected.length;
  expect(same ? 'same' : `first difference at ${i} of ${actual.length}/${expected.length}: ${actual[i]} vs ${expected[i]}`).toBe('same');
}

// Overlapping keywords, shared prefixes and suffixes: the failure links matter.
const KEYWORDS = ['ghp_', 'gh', 'hp_x', 'abcab', 'bca', 'a', 'xoxb-', 'oxb', 'sk_live_', 'live', '-----begin'];
let seed = 7;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const ALPHABET = 'aAbBcCgGhHpPxXoOkKsSlLiIvVeE_-- \n';
const randomText = (n: number) => Array.from({ length: n }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join('');

describe('keyword prefilter (WebAssembly search and JavaScript loop)', () => {
  it('finds exactly the case-insensitive occurrences in large input (WebAssembly path, built after 1 MiB)', () => {
    const text = randomText(1_500_000);
    const hits = prefilterHits(KEYWORDS, text);
    expect(hits.length).toBeGreaterThan(1000);
    expectSameHits(hits, naiveHits(KEYWORDS, text));
  });

  it('finds the same in small inputs (JavaScript path)', () => {
    for (let i = 0; i < 200; i++) {
      const text = randomText(1 + Math.floor(rand() * 200));
      expect(prefilterHits(KEYWORDS, text)).toEqual(naiveHits(KEYWORDS, text));
    }
  });

  it('honours from/to on large input and reports absolute offsets', () => {
    const text = randomText(1_300_000);
    const hits = prefilterHits(KEYWORDS, text, 1234, 1_200_000);
    expectSameHits(hits, naiveHits(KEYWORDS, text, 1234, 1_200_000));
  });

  it('reuses its memory across inputs of different sizes', () => {
    const pf = compilePrefilter(KEYWORDS);
    // JavaScript loop first, then the WebAssembly search once 1 MiB has been scanned.
    for (const n of [100_000, 300, 1_000_000, 5_000, 200, 2_000_000, 40_000]) {
      const text = randomText(n);
      const hits: string[] = [];
      pf.scan(Buffer.from(text, 'latin1'), (k, s, e) => hits.push(`${k}:${s}:${e}`));
      expectSameHits(hits.sort(), naiveHits(KEYWORDS, text));
    }
  });
});
