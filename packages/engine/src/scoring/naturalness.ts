/**
 * How "natural" a value reads: characters per BPE token under the cl100k vocabulary (the
 * tokenizer of GPT-4-era models, trained on text and code). Words, identifiers and phrases
 * (`truststore-password`, `new long password`, `changeme`) compress into few long tokens; random
 * strings (`kqnwzf`, `Hx7!pQ2#vL9m`) fall apart into one- and two-character tokens. This separates
 * a made-up value from a generated one far better than character-class entropy on short values.
 *
 * The vocabulary (100k tokens, ~1 MB) is loaded on first use only, so a run that never scores a
 * generic candidate never pays for it. Module loading is not I/O the engine chooses: the data is
 * a dependency like any other code.
 */
import { createRequire } from 'node:module';

/**
 * The vocabulary as an open-addressing hash table from byte string (latin1, one char per byte) to
 * rank: `keys[rank]` is the byte string, `slots` holds ranks (-1 empty) at their hash. Building it
 * costs a fraction of a Map of the same 100k strings, which a short scan pays in full.
 */
interface Vocabulary {
  keys: string[];
  slots: Int32Array;
  mask: number;
}

let vocabulary: Vocabulary | undefined;

/** FNV-1a over the char codes (bytes). */
function hashBytes(bytes: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes.charCodeAt(i), 0x01000193);
  return h;
}

function loadVocabulary(): Vocabulary {
  // Written as one call so the editor bundle (packages/vscode/build.mjs) inlines the module.
  const mod = createRequire(import.meta.url)('gpt-tokenizer/bpeRanks/cl100k_base') as { default: (string | number[])[] };
  const list = mod.default;
  const keys = new Array<string>(list.length);
  let size = 1;
  while (size < 2 * list.length) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const encoder = new TextEncoder();
  for (let rank = 0; rank < list.length; rank++) {
    const t = list[rank]!;
    let key: string;
    if (typeof t === 'string') {
      // Pure ASCII tokens (most of them) are their own byte string.
      // eslint-disable-next-line no-control-regex
      key = /^[\x00-\x7f]*$/.test(t) ? t : String.fromCharCode(...encoder.encode(t));
    } else {
      key = String.fromCharCode(...t);
    }
    keys[rank] = key;
    // Every token is distinct: the first free slot is its own.
    let i = hashBytes(key) & mask;
    while (slots[i] !== -1) i = (i + 1) & mask;
    slots[i] = rank;
  }
  return { keys, slots, mask };
}

/** Rank of a byte string, or -1 when it is not a token. */
function rankOf(bytes: string, v: Vocabulary): number {
  for (let i = hashBytes(bytes) & v.mask; ; i = (i + 1) & v.mask) {
    const rank = v.slots[i]!;
    if (rank === -1 || v.keys[rank] === bytes) return rank;
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
