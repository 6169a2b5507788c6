import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpeTokenCount, wordShare } from '../../packages/engine/src/scoring/naturalness.js';
import { REPO_ROOT } from '../helpers/cli.js';

// The engine builds its own table of the cl100k vocabulary (from js-tiktoken's rank file) and runs
// its own merge loop. The reference it must agree with is another implementation with its own
// copy of the data: gpt-tokenizer's cl100k encoder (a development dependency, for this test).
const { encode } = createRequire(import.meta.url)('gpt-tokenizer/encoding/cl100k_base') as { encode(text: string): number[] };

/** Real text of many kinds: the rule files (patterns, example tokens, URLs), the docs, non-ASCII. */
function sampleValues(): string[] {
  const texts = [
    ...readdirSync(join(REPO_ROOT, 'rules'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => readFileSync(join(REPO_ROOT, 'rules', f), 'utf8')),
    readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'),
    'Übergrößenträger naïve café résumé — 東京都の設定 パスワード 🔑🚀 ﬁle\u00a0nbsp \t tab',
  ];
  const values = new Set<string>();
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const v = line.trim().slice(0, 128);
      if (v) values.add(v);
      for (const w of v.split(/[^\p{L}\p{N}_-]+/u)) if (w) values.add(w);
    }
  }
  return [...values];
}

describe('BPE naturalness (cl100k)', () => {
  const values = sampleValues();

  it('counts the tokens gpt-tokenizer counts, for every sampled value', () => {
    expect(values.length).toBeGreaterThan(5000);
    const differ = values.filter((v) => bpeTokenCount(v) !== encode(v).length);
    expect(differ).toEqual([]);
  });

  it('takes a word as a vocabulary word exactly when it is one token, alone or after a space', () => {
    const words = new Set(values.flatMap((v) => v.toLowerCase().match(/[a-z]{3,}/g) ?? []));
    expect(words.size).toBeGreaterThan(1000);
    const differ = [...words].filter((w) => (wordShare(w) === 1) !== (encode(w).length === 1 || encode(` ${w}`).length === 1));
    expect(differ).toEqual([]);
  });
});
