/**
 * Small, bounded lexing helpers over a latin1 string (one char per byte, so indices are byte
 * offsets). Every loop is bounded by the line or by an explicit limit: a candidate costs at most a
 * few hundred steps, whatever the file.
 */

export const isSpace = (c: number): boolean => c === 0x20 || c === 0x09;
export const isNameChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46 || c === 36;
export const isIdentChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
export const isQuote = (c: number | undefined): boolean => c === 0x22 || c === 0x27 || c === 0x60;

export function skipSpaces(s: string, i: number, end: number, limit = 16): number {
  const stop = Math.min(end, i + limit);
  while (i < stop && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** End (exclusive, after the closing quote) of a quoted string opening at `open`, on one line; -1 if unclosed. */
export function quotedEnd(s: string, open: number, end: number, limit = 4096): number {
  const q = s.charCodeAt(open);
  const stop = Math.min(end, open + 1 + limit);
  for (let i = open + 1; i < stop; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) {
      // A backslash escapes the next character (raw strings rarely hold a quote anyway).
      i++;
      continue;
    }
    if (c === q) return i + 1;
    if (c === 10 || c === 13) return -1;
  }
  return -1;
}

/** String prefixes before an opening quote: b'', r"", f"", u"", @"", $"", L"", N'' … */
const STRING_PREFIX = /^(?:[bBrRuUfF]{1,2}|@|\$|L|N|u8|@\$|\$@)$/;

/** If a string literal (with an optional prefix) starts at `i`: [valueStart, valueEnd, literalEnd]. */
export function stringAt(s: string, i: number, end: number): [number, number, number] | undefined {
  let q = i;
  while (q < end && q - i < 3 && !isQuote(s.charCodeAt(q))) q++;
  if (q >= end || !isQuote(s.charCodeAt(q))) return undefined;
  if (q > i && !STRING_PREFIX.test(s.slice(i, q))) return undefined;
  // Triple quotes and empty strings hold nothing to judge here.
  if (s.charCodeAt(q + 1) === s.charCodeAt(q)) return undefined;
  const close = quotedEnd(s, q, end);
  if (close < 0) return undefined;
  return [q + 1, close - 1, close];
}

const LINE_BREAK = /[\r\n]/g;

/** End of the line holding `i` (index of `\n`/`\r`, or `end`). */
export function lineEndAt(s: string, i: number, end: number): number {
  LINE_BREAK.lastIndex = i;
  const m = LINE_BREAK.exec(s);
  return m === null || m.index > end ? end : m.index;
}

export function lineStartAt(s: string, i: number, start = 0): number {
  for (let j = i - 1; j >= start; j--) {
    const c = s.charCodeAt(j);
    if (c === 10 || c === 13) return j + 1;
  }
  return start;
}
