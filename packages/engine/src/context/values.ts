/**
 * Value heuristics for context-only (generic) findings: a value in a secret-looking place is
 * reported only if it does not look like a placeholder, a reference, a hash or an ordinary word.
 * Cheapest checks first; all are plain string tests (no allocation-heavy work).
 */
import { shannonEntropy } from '../validators.js';

export type ValueKind = 'token' | 'password';

const TEMPLATE = /\$\{|\{\{|\}\}|\$\(|%\(|#\{|<%|%>|\[\[|\]\]|%[-+ #0]?\d*(?:\.\d+)?[sdvqifr](?![A-Za-z0-9])|\{\d?\}/;
const ANGLE = /^<|>$|<[^>]*>/;
const VARIABLE = /^(?:\$[A-Za-z_{]|%[A-Za-z_][A-Za-z0-9_]*%$|@[A-Za-z_]+@$|\{[A-Za-z_.-]+\}$|:[a-z_]+$)/;
const MASK = /(.)\1{3,}|\*{2,}|•|…|\.\.\./;
const X_RUN = /x{4,}/i;
const MARKER = /example|dummy|fake|sample|placeholder|do[_-]?not[_-]?use|redacted|change[_-]?me|replace[_-]?me|insert[_-]?(?:your|here)|your[_-]|[_-]here$|^your|^my[_-]?(?:token|secret|key|pass|api)|not[_-]?a[_-]?real|notreal|lorem|<|>|todo|fixme|\bnull\b|undefined/i;
const WORDS = /^(?:test|testing|tests|secret|secrets|password|passwd|token|tokens|apikey|api[_-]?key|none|true|false|string|required|optional|empty|default|admin|root|guest|user|username|pass|demo|foo|bar|baz|qux|bearer|basic|postgres|mysql|redis|example|changeit|letmein|qwerty|abc123|abcd1234|password1|password123|secret123|pa\$\$w0rd|p@ssw0rd)$/i;
const SEQUENCE = /0123456|1234567|abcdefgh|qwertyui|asdfghjk/i;

const REFERENCE = /^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|System\.getenv|Deno\.env|ENV\[|env\(|getenv\(|secrets\.|vars\.|var\.|local\.|self\.|this\.|config\.|settings\.)/;
// Word-like segments (config.apiKey, settings.TOKEN_V2), not random ones (JWTs: eyJ….eyJ….sig).
const DOTTED_IDENT = /^(?!eyJ)[A-Za-z_$][A-Za-z_$]*\d{0,3}(?:\.[A-Za-z_$][A-Za-z_$]*\d{0,3})+$/;

const HASH_PREFIX = /^(?:sha1|sha224|sha256|sha384|sha512|md5)[-:]/i;
const HEX_DIGEST = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i;
const HASH_CONTEXT = /sha|hash|digest|commit|checksum|integrity|etag|revision|\brev\b|fingerprint|\bref\b|\bhead\b/i;

const DATA_URI = /^data:/i;
const CSS_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const PATH = /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/;
const VERSION = /^v?\d+(?:\.\d+){1,3}(?:[-+][\w.-]+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;
const MIME = /^[a-z]+\/[a-z0-9.+-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;

// Identifiers written as values (token = contextToken2, password: DB_PASSWORD) are references.
const IDENTIFIER = /^(?:[a-z]+(?:[A-Z][a-z]+)+\d{0,3}|[A-Z][a-z]+(?:[A-Z][a-z]+)+\d{0,3}|[a-z]+(?:_[a-z]+)+\d{0,3}|[A-Z]+(?:_[A-Z]+)+\d{0,3})$/;
const LEADING_PUNCT = /^[?|&!*^#@%,;:]/;

function caseSwitches(s: string): number {
  let n = 0;
  let prevUpper: boolean | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    if (!upper && !(c >= 97 && c <= 122)) continue;
    if (prevUpper !== undefined && upper !== prevUpper) n++;
    prevUpper = upper;
  }
  return n;
}

function distinctChars(s: string, stopAt: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < s.length && seen.size < stopAt; i++) seen.add(s.charCodeAt(i));
  return seen.size;
}

/** Why a value is not a secret (placeholder, reference, hash, …), or undefined if it may be one. */
export function rejectPlaceholder(value: string): string | undefined {
  if (TEMPLATE.test(value) || VARIABLE.test(value)) return 'template or variable';
  if (ANGLE.test(value)) return 'placeholder';
  if (MASK.test(value) || X_RUN.test(value)) return 'masked or placeholder';
  if (WORDS.test(value) || MARKER.test(value) || SEQUENCE.test(value)) return 'placeholder word';
  return undefined;
}

// Provider fixtures mark fake tokens with an embedded EXAMPLE (AWS does too), so only unmistakable
// markers count here; the full word list applies to context-only values.
const MARKED = /(?:^|[^a-z])your[_-]|placeholder|redacted/i;

/** Light check for provider formats without a checksum: only unmistakable placeholders. */
export function rejectObviousPlaceholder(value: string): string | undefined {
  if (TEMPLATE.test(value) || ANGLE.test(value) || /^\$[A-Za-z_{]/.test(value)) return 'template or variable';
  if (X_RUN.test(value) || /\*{3,}/.test(value) || MARKED.test(value)) return 'placeholder';
  return undefined;
}

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** `key_1234`, `abcd9x`: four ascending characters in a short value mark a made-up example. */
function hasAscendingRun(value: string): boolean {
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    const a = value.charCodeAt(i - 1);
    const b = value.charCodeAt(i);
    run = b === a + 1 && isAlnum(a) && isAlnum(b) ? run + 1 : 1;
    if (run >= 4) return true;
  }
  return false;
}

/**
 * Shapes that are not secrets whatever the key says: references (env lookups, dotted names),
 * hashes next to a hash word, URLs, paths, versions, dates, MIME types, e-mail addresses, data
 * URIs and CSS colours. Undefined when the value may be a secret.
 */
export function rejectShape(value: string, lineContext = ''): string | undefined {
  if (REFERENCE.test(value)) return 'reference';
  if (HASH_PREFIX.test(value)) return 'hash';
  if (HEX_DIGEST.test(value) && HASH_CONTEXT.test(lineContext)) return 'hash';
  if (DATA_URI.test(value) || CSS_COLOR.test(value) || URL.test(value) || PATH.test(value)) return 'not a secret shape';
  if (VERSION.test(value) || DATE.test(value) || MIME.test(value) || EMAIL.test(value)) return 'not a secret shape';
  return undefined;
}

/** camelCase, PascalCase, snake_case, UPPER_SNAKE or dotted names: identifiers when they read as words. */
export const looksLikeIdentifier = (value: string): boolean => IDENTIFIER.test(value) || DOTTED_IDENT.test(value);

/** Known weak or default values and made-up sequences (`letmein`, `abc123`, `1234567`). */
export const isKnownWeakValue = (value: string): boolean => WORDS.test(value) || SEQUENCE.test(value);

/**
 * Full check for a context-only value. `lineContext` is the text of the line around the value
 * (used to tell a digest from a hex token).
 */
export function rejectGenericValue(value: string, kind: ValueKind, lineContext = ''): string | undefined {
  const len = value.length;
  const minLen = kind === 'password' ? 6 : 8;
  if (len < minLen) return 'too short';
  if (distinctChars(value, 5) < 5) return 'too few distinct characters';
  const placeholder = rejectPlaceholder(value);
  if (placeholder) return placeholder;
  if (len <= 16 && hasAscendingRun(value)) return 'placeholder (sequence)';
  if (REFERENCE.test(value) || DOTTED_IDENT.test(value) || IDENTIFIER.test(value)) return 'reference';
  if (HASH_PREFIX.test(value)) return 'hash';
  if (HEX_DIGEST.test(value) && HASH_CONTEXT.test(lineContext)) return 'hash';
  if (DATA_URI.test(value) || CSS_COLOR.test(value) || URL.test(value) || PATH.test(value)) return 'not a secret shape';
  if (VERSION.test(value) || DATE.test(value) || MIME.test(value) || EMAIL.test(value)) return 'not a secret shape';
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < len; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 48 && c <= 57) digit++;
    else other++;
  }
  const letters = lower + upper;
  if (kind === 'password') {
    // A password written in code or config has digits or symbols; letters alone are a word or a type name.
    if (digit + other === 0) return 'letters only';
    if (digit === len) return 'number';
    if (letters === 0 && other === 0) return 'number';
    return shannonEntropy(value) < 2.3 ? 'low entropy' : undefined;
  }
  if (letters === 0) return 'no letters';
  if (LEADING_PUNCT.test(value)) return 'not a secret shape';
  // Random tokens nearly always mix letters and digits; an all-letter value is usually a word or an
  // identifier (nextLastSignificantToken), which switches case far less often than random text.
  if (digit === 0 && !(len >= 20 && lower > 0 && upper > 0 && caseSwitches(value) >= len * 0.35)) return 'no digits';
  const entropy = shannonEntropy(value);
  const need = len < 12 ? 2.5 : len < 20 ? 3.0 : 3.3;
  return entropy < need ? 'low entropy' : undefined;
}
