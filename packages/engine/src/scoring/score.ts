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
import type { FileKind } from '../candidates/file-kind.js';
import { charsPerToken } from './naturalness.js';

export interface ScoreInput {
  value: string;
  /** What the key or the syntax says the value is. */
  kind: KeyKind | 'header' | 'url-password';
  /** Written as a string literal (quoted) or bare (config files, command lines). */
  quoted: boolean;
  fileKind: FileKind;
  /** In tests, fixtures, docs, examples. */
  testPath: boolean;
  /** Text around the value on its line (hash words, for instance). */
  line: string;
}

export type Score = { confidence: Confidence } | { reject: string };

const MIN_LENGTH: Record<ScoreInput['kind'], number> = { password: 4, 'url-password': 4, secret: 6, token: 8, key: 8, credential: 6, auth: 8, header: 8 };

/** Characters per token at or above which a value reads as words (per kind: passwords are short). */
const NATURAL: Record<ScoreInput['kind'], number> = { password: 3, 'url-password': 3, secret: 3, token: 3, key: 3, credential: 3, auth: 3, header: 3 };

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

export function scoreValue(input: ScoreInput): Score {
  const { value, kind } = input;
  const len = value.length;
  if (len < MIN_LENGTH[kind]) return { reject: 'too short' };
  if (len > 4096) return { reject: 'too long' };
  if (distinct(value) < Math.min(4, len - 1)) return { reject: 'too few distinct characters' };
  const cls = classes(value);
  if (cls.space > 0 && !input.quoted) return { reject: 'spaces' };
  const placeholder = rejectPlaceholder(value);
  if (placeholder) return { reject: placeholder };
  if (isKnownWeakValue(value)) return { reject: 'known example value' };
  const shape = rejectShape(value, input.line);
  if (shape) return { reject: shape };
  if (cls.digit === len) return { reject: 'number' };
  if (cls.lower + cls.upper === 0 && cls.digit === 0) return { reject: 'punctuation' };
  const cpt = charsPerToken(value);
  if (cpt >= NATURAL[kind]) return { reject: 'natural text' };
  if (looksLikeIdentifier(value) && cpt >= 2.5) return { reject: 'identifier' };
  // Strong: a long, generated-looking value under a name that means secret.
  const strong = len >= 12 && cpt <= 2 && cls.digit > 0 && cls.lower + cls.upper > 0;
  return { confidence: strong && !input.testPath ? 'medium' : 'low' };
}
