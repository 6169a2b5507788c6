/**
 * How "natural" a value reads: characters per BPE token under the cl100k vocabulary (the
 * tokenizer of GPT-4-era models, trained on text and code). Words, identifiers and phrases
 * (`truststore-password`, `new long password`, `changeme`) compress into few long tokens; random
 * strings (`kqnwzf`, `Hx7!pQ2#vL9m`) fall apart into one- and two-character tokens. This separates
 * a made-up value from a generated one far better than character-class entropy on short values.
 *
 * The vocabulary (100k tokens, ~640 KB) is loaded on first use only, so a run that never scores a
 * generic candidate never pays for it. Module loading is not I/O the engine chooses: the data is
 * a dependency like any other code.
 */
import { createRequire } from 'node:module';

/**
 * The cl100k vocabulary without one JS string per token: every token's bytes one after another in
 * rank order (token `r` is `bytes[starts[r]..starts[r + 1])`), and an open-addressing hash table
 * of rank + 1 (0 = empty) at each token's hash. Lookups take byte strings (latin1, one char per
 * byte). Loaded from js-tiktoken's rank file (one base64 string) and built in ~70 ms; a list of
 * 100k string literals costs V8 ~115 ms to compile before a Map of them is even built.
 */
interface Vocabulary {
  bytes: Uint8Array;
  starts: Int32Array;
  slots: Int32Array;
  mask: number;
}

let vocabulary: Vocabulary | undefined;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const BASE64 = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) BASE64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

function loadVocabulary(): Vocabulary {
  // Written as one call so the editor bundle (packages/vscode/build.mjs) inlines the module.
  // `bpe_ranks`: lines of "! FIRST_RANK TOKEN TOKEN …", each token in base64, ranks counting up.
  const text = (createRequire(import.meta.url)('js-tiktoken/ranks/cl100k_base') as { bpe_ranks: string }).bpe_ranks;
  // A token takes at least 4 base64 characters and a space: these bound every array.
  const bytes = new Uint8Array(text.length);
  const starts = new Int32Array((text.length >> 2) + 2);
  const hashes = new Int32Array(starts.length);
  let n = 0;
  let length = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const at = line.indexOf(' ') + 1;
    const from = line.indexOf(' ', at) + 1;
    if (from === 0 || Number(line.slice(at, from - 1)) !== n) throw new Error('cl100k vocabulary: ranks are not consecutive');
    // One pass: each token's base64 decoded into `bytes` and hashed (FNV-1a) on the way.
    let inToken = false;
    let h = 0;
    let acc = 0;
    let bits = 0;
    for (let p = from; p < line.length; p++) {
      const c = line.charCodeAt(p);
      if (c === 0x20) {
        if (inToken) hashes[n++] = h;
        inToken = false;
        continue;
      }
      if (!inToken) {
        starts[n] = length;
        h = FNV_OFFSET;
        acc = 0;
        bits = 0;
        inToken = true;
      }
      const v = BASE64[c & 0xff]!;
      if (v < 0) continue; // '=' padding
      acc = ((acc << 6) | v) & 0xffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        const b = (acc >> bits) & 0xff;
        bytes[length++] = b;
        h = Math.imul(h ^ b, FNV_PRIME);
      }
    }
    if (inToken) hashes[n++] = h;
  }
  starts[n] = length;
  let size = 1;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size);
  for (let rank = 0; rank < n; rank++) {
    // Every token is distinct: the first free slot is its own.
    let i = hashes[rank]! & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = rank + 1;
  }
  return { bytes, starts, slots, mask };
}

/** Rank of a byte string, or -1 when it is not a token. */
function rankOf(key: string, v: Vocabulary): number {
  let h = FNV_OFFSET;
  for (let k = 0; k < key.length; k++) h = Math.imul(h ^ key.charCodeAt(k), FNV_PRIME);
  for (let i = h & v.mask; ; i = (i + 1) & v.mask) {
    const rank = v.slots[i]! - 1;
    if (rank < 0) return -1;
    const start = v.starts[rank]!;
    if (v.starts[rank + 1]! - start !== key.length) continue;
    let k = 0;
    while (k < key.length && v.bytes[start + k] === key.charCodeAt(k)) k++;
    if (k === key.length) return rank;
  }
}

// cl100k's pre-tokenizer: contractions, letter runs (with one leading non-letter), 1–3 digits,
// punctuation runs, whitespace. Applied per value (values are short: bounded below).
const PIECES = /'(?:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/giu;

/** Number of BPE tokens of one pre-tokenized piece (byte string). Pieces are short: O(n²) is fine. */
function pieceTokens(bytes: string, v: Vocabulary): number {
  if (bytes.length <= 1 || rankOf(bytes, v) !== -1) return 1;
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) parts.push(bytes[i]!);
  for (;;) {
    let best = -1;
    let bestRank = Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = rankOf(parts[i]! + parts[i + 1]!, v);
      if (r !== -1 && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return parts.length;
    parts.splice(best, 2, parts[best]! + parts[best + 1]!);
  }
}

/** Values longer than this are scored on their first MAX_CHARS characters. */
const MAX_CHARS = 128;

/** BPE token count of `value` under cl100k (first 128 characters). */
export function bpeTokenCount(value: string): number {
  vocabulary ??= loadVocabulary();
  const text = value.length > MAX_CHARS ? value.slice(0, MAX_CHARS) : value;
  let n = 0;
  for (const m of text.matchAll(PIECES)) {
    const piece = m[0];
    // eslint-disable-next-line no-control-regex
    const bytes = /^[\x00-\x7f]*$/.test(piece) ? piece : String.fromCharCode(...new TextEncoder().encode(piece));
    n += pieceTokens(bytes, vocabulary);
  }
  return n;
}

/** Characters per BPE token: ≥ 3 reads as words or identifiers, ≤ 2 as random text. */
export function charsPerToken(value: string): number {
  const text = value.length > MAX_CHARS ? value.slice(0, MAX_CHARS) : value;
  if (text.length === 0) return 0;
  return text.length / Math.max(1, bpeTokenCount(text));
}

/** Is `word` (letters only) one token of the vocabulary, alone or after a space (` password`)? */
function isVocabularyWord(word: string, v: Vocabulary): boolean {
  return rankOf(word, v) !== -1 || rankOf(` ${word}`, v) !== -1;
}

/**
 * Share of the value's letters that sit in words of 3+ letters (split at case changes and
 * separators, lower-cased) which are whole vocabulary tokens: `role-arn`, `admin_password`,
 * `sessionKey` → near 1; `ombzfz`, `k8sQx`, `VbsmoJqocc` → 0. The dictionary filter of the
 * naturalness measure.
 */
export function wordShare(value: string): number {
  vocabulary ??= loadVocabulary();
  const text = value.length > MAX_CHARS ? value.slice(0, MAX_CHARS) : value;
  let letters = 0;
  let inWords = 0;
  for (const m of text.matchAll(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g)) {
    const word = m[0].toLowerCase();
    letters += word.length;
    if (word.length >= 3 && isVocabularyWord(word, vocabulary)) inWords += word.length;
  }
  return letters === 0 ? 0 : inWords / letters;
}
