/**
 * Scoring of generic candidates (stage 2): runs only on values the candidate extractor found next
 * to a secret-named key, header or URL. Cheap string checks first (placeholders, references,
 * shapes), then naturalness (BPE characters per token: words and identifiers read naturally,
 * generated values do not), combined with what the key says, how the value was written and where
 * the file is, into a confidence.
 */
import type { Confidence } from '../types.js';
import type { KeyKind } from '../context/names.js';
import { isKnownWeakValue, looksLikeIdentifier, rejectPlaceholder, rejectShape } from '../context/values.js';
import { decodeBase64Text } from '../context/decode.js';
import { charsPerToken, wordShare } from './naturalness.js';

export interface ScoreInput {
  value: string;
  /** What the key or the syntax says the value is. */
  kind: KeyKind | 'header' | 'url-password';
  /** Written as a string literal (quoted) or bare (config files, command lines). */
  quoted: boolean;
  /** In tests, fixtures, docs, examples. */
  testPath: boolean;
  /** Text around the value on its line (hash words, for instance). */
  line: string;
}

export type Score = { confidence: Confidence } | { reject: string };

const MIN_LENGTH: Record<ScoreInput['kind'], number> = { password: 4, 'url-password': 4, secret: 6, token: 8, key: 8, credential: 6, auth: 8, header: 8 };

/** Characters per token at or above which a value reads as words (cased or lower-cased). */
const NATURAL_CPT = 3.2;
/** Share of letters in vocabulary words at or above which a value reads as words. */
const NATURAL_WORDS = 0.5;

/** Modular crypt format password hashes: $2a$10$…, $6$…, $argon2id$…, $pbkdf2-sha256$… */
const CRYPT_HASH = /^\$(?:\d[a-z]?|[a-z][a-z0-9-]{1,20})\$/;
/** A whole value in brackets is a mask or a note: [FILTERED], [omitted], (hidden). */
const BRACKETED = /^(?:\[[^\]]*\]|\([^)]*\))$/;
/** Well-known filler values of tests and docs. */
const FILLER = /^(?:deadbeef|cafebabe|feedface|baadf00d|abcdef|abcdefgh|qwerty\w*|asdf\w*|hunter2|s3cr3t|passw0rd|p4ssw0rd|secret!+|changeit|changeme\w*)$/i;
const HEX = /^[0-9a-f]+$/i;

/** Is the value a run of digits counting up or down (123456, 987654321), or one digit repeated? */
function digitSequence(value: string): boolean {
  let up = 0;
  let down = 0;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    if (d === 1) up++;
    else if (d === -1) down++;
  }
  return Math.max(up, down) >= (value.length - 1) * 0.6;
}

/** Reads as words or identifiers (`truststore-password`, `sessionKey`, `OAUTHBEARER`): not generated. */
export function readsAsWords(value: string): boolean {
  const cpt = Math.max(charsPerToken(value), charsPerToken(value.toLowerCase()));
  if (cpt >= NATURAL_CPT) return true;
  // Hex digests are made of a–f letters: `ced400` is not the word "ced".
  if (HEX.test(value) && /\d/.test(value)) return false;
  return wordShare(value) >= NATURAL_WORDS;
}

function classes(value: string): { lower: number; upper: number; digit: number; other: number; space: number } {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  let space = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digit++;
    else if (c === 32 || c === 9) space++;
    else other++;
  }
  return { lower, upper, digit, other, space };
}

function distinct(value: string): number {
  const seen = new Set<number>();
  for (let i = 0; i < value.length && seen.size < 8; i++) seen.add(value.charCodeAt(i));
  return seen.size;
}

/** Words of demo and default passwords (`Password1!`, `Admin@123`, `Welcome2024`). */
const DEMO_WORD = /^(?:pass(?:word)?s?|passwd|pwd|admin(?:istrator)?|test(?:ing|er|user)?|secret|changeme|change|welcome|letmein|qwerty|root|user(?:name)?|demo|guest|default|example|sample|dummy|foo|bar|hello|abc)$/i;

function humanPassword(value: string, kind: ScoreInput['kind'], cls: ReturnType<typeof classes>): boolean {
  if ((kind !== 'password' && kind !== 'url-password') || value.length < 8 || cls.digit === 0) return false;
  if (cls.other === 0 && (cls.lower === 0 || cls.upper === 0)) return false;
  // `key_1234`, `Abcd@2024`: counting runs are made up for the docs.
  if (/0123|1234|2345|3456|4567|5678|6789|abcd/i.test(value)) return false;
  const words = value.split(/[^A-Za-z]+|(?<=[a-z])(?=[A-Z])/).filter((w) => w.length >= 2);
  return words.length > 0 && !words.some((w) => DEMO_WORD.test(w));
}

export function scoreValue(input: ScoreInput): Score {
  const { value, kind } = input;
  const len = value.length;
  if (len < MIN_LENGTH[kind]) return { reject: 'too short' };
  if (len > 4096) return { reject: 'too long' };
  if (/[\r\n]/.test(value)) return { reject: 'several lines' };
  if (distinct(value) < Math.min(4, len - 1)) return { reject: 'too few distinct characters' };
  const cls = classes(value);
  // Passwords may hold a space or two; more is a sentence, a command or code.
  if (cls.space > (input.quoted ? 2 : 0)) return { reject: 'spaces' };
  const placeholder = rejectPlaceholder(value);
  if (placeholder) return { reject: placeholder };
  if (isKnownWeakValue(value) || FILLER.test(value)) return { reject: 'known example value' };
  if (BRACKETED.test(value)) return { reject: 'placeholder' };
  if (CRYPT_HASH.test(value)) return { reject: 'hash' };
  const shape = rejectShape(value, input.line);
  if (shape) return { reject: shape };
  if (cls.lower + cls.upper === 0) {
    // Numeric passwords and keys exist; counting sequences and short numbers are examples or ids.
    if (cls.other > 0 || len < 6 || digitSequence(value)) return { reject: 'number' };
    return { confidence: 'low' };
  }
  // base64 of readable text (`bXlwYXNz` = "mypass") is judged as that text (a JWT's JSON is not words).
  const text = len >= 8 && len % 4 === 0 && !value.startsWith('eyJ') ? decodeBase64Text(value) : undefined;
  if (text !== undefined && /^[\x20-\x7e]+$/.test(text) && readsAsWords(text)) return { reject: 'encoded words' };
  if (readsAsWords(value)) {
    // People build passwords from words: `Winter2025!`, `MyDbPass#2024`. Under a password key a
    // word with digits and a symbol or a case change is one, unless its word is a demo word.
    if (!humanPassword(value, kind, cls)) return { reject: 'natural text' };
    return { confidence: 'low' };
  }
  if (looksLikeIdentifier(value) && charsPerToken(value) >= 2.5) return { reject: 'identifier' };
  // Strong: a long, generated-looking value under a name that means secret.
  const strong = len >= 12 && charsPerToken(value) <= 2 && cls.digit > 0;
  return { confidence: strong && !input.testPath ? 'medium' : 'low' };
}
