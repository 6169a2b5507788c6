import { describe, expect, it } from 'vitest';
import { compilePrefilter, compileRules, type Prefilter } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';

/**
 * Property tests: the prefilter against the obvious search, over random inputs built from the
 * keywords' own bytes (so near-misses and overlaps are common), with every rule keyword planted.
 * The order is part of the contract: by end, then longest first, then keyword order.
 */

const RULE_KEYWORDS = [...compileRules(loadRuleDefinitions()).prefilter.keywords];

const fold = (b: number) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
/** One char per byte, ASCII letters folded: indexOf then compares bytes case-insensitively. */
const foldedLatin1 = (bytes: Uint8Array) => Buffer.from(bytes.map(fold)).toString('latin1');

type Hit = [keyword: number, start: number, end: number];

function naiveHits(keywords: readonly string[], bytes: Uint8Array, from = 0, to = bytes.length): Hit[] {
  const text = foldedLatin1(bytes.subarray(0, to));
  const hits: Hit[] = [];
  keywords.forEach((kw, k) => {
    const needle = foldedLatin1(Buffer.from(kw, 'utf8'));
    for (let i = text.indexOf(needle, from); i !== -1; i = text.indexOf(needle, i + 1)) hits.push([k, i, i + needle.length]);
  });
  return hits.sort((a, b) => a[2] - b[2] || a[1] - b[1] || a[0] - b[0]);
}

function hitsOf(pf: Prefilter, bytes: Uint8Array, from?: number, to?: number): Hit[] {
  const hits: Hit[] = [];
  pf.scan(bytes, (k, s, e) => hits.push([k, s, e]), from, to);
  return hits;
}

/** Compares by first difference: a diff of a large hit list would drown the report. */
function expectSameHits(actual: Hit[], expected: Hit[]): void {
  let i = 0;
  const key = (h: Hit | undefined) => (h ? h.join(':') : 'none');
  while (i < actual.length && i < expected.length && key(actual[i]) === key(expected[i])) i++;
  const same = i === actual.length && i === expected.length;
  expect(same ? 'same' : `first difference at ${i} of ${actual.length}/${expected.length}: ${key(actual[i])} vs ${key(expected[i])}`).toBe('same');
}

let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const randomCase = (s: string) => [...s].map((c) => (rand() < 0.5 ? c.toUpperCase() : c)).join('');

/** Random bytes: mostly the keywords' own characters, keyword pieces, whole keywords, some other bytes. */
function randomInput(keywords: readonly string[], n: number): Buffer {
  const alphabet = [...new Set(keywords.join(''))];
  const parts: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = rand();
    const kw = pick(keywords);
    const piece =
      r < 0.5
        ? Buffer.from(randomCase(pick(alphabet)))
        : r < 0.7
          ? Buffer.from(randomCase(kw.slice(0, 1 + Math.floor(rand() * kw.length))))
          : r < 0.85
            ? Buffer.from(randomCase(kw))
            : Buffer.from([Math.floor(rand() * 256)]);
    parts.push(piece);
    size += piece.length;
  }
  return Buffer.concat(parts).subarray(0, n);
}

/** A prefilter that has already scanned 1 MiB, so inputs of 256 bytes and more take the WebAssembly path. */
function warmed(keywords: readonly string[]): Prefilter {
  const pf = compilePrefilter(keywords);
  pf.scan(Buffer.alloc(1 << 20, 0x20), () => {});
  return pf;
}

describe('keyword prefilter against a naive search', () => {
  it('finds every rule keyword, planted in any case, with the same hits in the same order (both paths)', () => {
    const cold = compilePrefilter(RULE_KEYWORDS);
    const warm = warmed(RULE_KEYWORDS);
    // Each keyword once, in random case, between random bytes: a small input each (JavaScript path).
    RULE_KEYWORDS.forEach((kw, k) => {
      const input = Buffer.concat([randomInput(RULE_KEYWORDS, Math.floor(rand() * 40)), Buffer.from(randomCase(kw)), randomInput(RULE_KEYWORDS, Math.floor(rand() * 40))]);
      const hits = hitsOf(cold, input);
      expect(
        hits.some(([hk, s, e]) => hk === k && e - s === Buffer.byteLength(kw)),
        kw,
      ).toBe(true);
      expectSameHits(hits, naiveHits(RULE_KEYWORDS, input));
    });
    // All of them in larger inputs (WebAssembly path).
    for (let round = 0; round < 4; round++) {
      const input = randomInput(RULE_KEYWORDS, 50_000 + Math.floor(rand() * 50_000));
      const expected = naiveHits(RULE_KEYWORDS, input);
      expect(expected.length).toBeGreaterThan(1000);
      expectSameHits(hitsOf(warm, input), expected);
    }
  });

  it('agrees on random inputs of every size, with from/to', () => {
    const cold = compilePrefilter(RULE_KEYWORDS);
    const warm = warmed(RULE_KEYWORDS);
    for (let i = 0; i < 300; i++) {
      const input = randomInput(RULE_KEYWORDS, Math.floor(rand() * (i < 150 ? 64 : 4000)));
      const from = rand() < 0.5 ? 0 : Math.floor(rand() * input.length);
      const to = rand() < 0.5 ? input.length : from + Math.floor(rand() * (input.length - from));
      const expected = naiveHits(RULE_KEYWORDS, input, from, to);
      expectSameHits(hitsOf(cold, input, from, to), expected);
      expectSameHits(hitsOf(warm, input, from, to), expected);
    }
  });

  it('handles short, duplicate, upper-case and non-ASCII keywords, at the very start and end', () => {
    const keywords = ['a', 'B', 'ab', 'ab', 'Bc', 'abcab', 'é', 'xé_', 'ÉTÉ', '-----BEGIN', 'bca'];
    const cold = compilePrefilter(keywords);
    const warm = warmed(keywords);
    for (const text of ['a', 'b', 'ab', 'é', 'xÉ_', 'abcabcab', 'été ÉTÉ', '-----begin-----BEGIN']) {
      const input = Buffer.from(text);
      expectSameHits(hitsOf(cold, input), naiveHits(keywords, input));
    }
    for (let i = 0; i < 200; i++) {
      const input = randomInput(keywords, Math.floor(rand() * 3000));
      const expected = naiveHits(keywords, input);
      expectSameHits(hitsOf(cold, input), expected);
      expectSameHits(hitsOf(warm, input), expected);
    }
  });

  it('stays exact when the keywords use more distinct bytes than the filter has classes', () => {
    // 150 distinct bytes: the filter shares classes between bytes, the trie still decides.
    const keywords = Array.from({ length: 50 }, (_, i) => String.fromCharCode(0x21 + i, 0x54 + i, 0xa0 + i, 0x21 + ((i * 7) % 90)));
    const cold = compilePrefilter(keywords);
    const warm = warmed(keywords);
    for (let i = 0; i < 50; i++) {
      const input = randomInput(keywords, 500 + Math.floor(rand() * 5000));
      const expected = naiveHits(keywords, input);
      expect(expected.length).toBeGreaterThan(0);
      expectSameHits(hitsOf(cold, input), expected);
      expectSameHits(hitsOf(warm, input), expected);
    }
  });

  it('keeps the order when hits outnumber its buffers (dense overlapping keywords)', () => {
    // Every position starts several keywords: far more pending hits than either path buffers.
    const keywords = ['a', 'aa', 'aaa', 'aaaa', 'ab', 'aab', 'b'];
    const input = Buffer.from(Array.from({ length: 60_000 }, () => (rand() < 0.9 ? 'a' : 'B')).join(''));
    const expected = naiveHits(keywords, input);
    expect(expected.length).toBeGreaterThan(150_000);
    expectSameHits(hitsOf(compilePrefilter(keywords), input), expected);
    expectSameHits(hitsOf(warmed(keywords), input), expected);
  });

  it('can be called again from inside onHit', () => {
    const pf = warmed(RULE_KEYWORDS);
    const outer = randomInput(RULE_KEYWORDS, 20_000);
    const inner = randomInput(RULE_KEYWORDS, 3_000);
    const innerHits: Hit[][] = [];
    const outerHits: Hit[] = [];
    pf.scan(outer, (k, s, e) => {
      outerHits.push([k, s, e]);
      if (innerHits.length < 3) innerHits.push(hitsOf(pf, inner));
    });
    expectSameHits(outerHits, naiveHits(RULE_KEYWORDS, outer));
    for (const hits of innerHits) expectSameHits(hits, naiveHits(RULE_KEYWORDS, inner));
  });
});
