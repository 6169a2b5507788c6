/**
 * Line breaks as editors count them: `\n`, `\r\n` and a lone `\r` (classic Mac OS files, some
 * exported logs). Line numbers, inline directives and the stream scanner all use these helpers, so
 * a CR-only file is many lines everywhere, not one line that a single directive would hide.
 */

/** True when the byte at `i` ends a line: `\n`, or a `\r` not followed by `\n` (one break for `\r\n`). */
export function isLineBreakAt(buf: Uint8Array, i: number): boolean {
  const b = buf[i];
  return b === 10 || (b === 13 && buf[i + 1] !== 10);
}

/** True for either line-break byte: where a line's text stops. */
export function isLineBreakByte(b: number | undefined): boolean {
  return b === 10 || b === 13;
}

/** Index of the next byte at or after `from` ending a line (see `isLineBreakAt`), or -1. */
export function nextLineBreak(buf: Uint8Array, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const b = buf[i];
    if (b === 10) return i;
    if (b === 13 && buf[i + 1] !== 10) return i;
  }
  return -1;
}

/**
 * Finds line breaks in order without re-reading the buffer: `next(from)` with non-decreasing
 * `from` is linear overall. `indexOf` is native and fast, and files without `\r` pay one search.
 */
export class LineBreakCursor {
  private lf = -2;
  private cr = -2;
  constructor(private readonly buf: Uint8Array & { indexOf(value: number, byteOffset?: number): number }) {}

  next(from: number): number {
    for (;;) {
      if (this.lf !== -1 && this.lf < from) this.lf = this.buf.indexOf(10, from);
      if (this.cr !== -1 && this.cr < from) this.cr = this.buf.indexOf(13, from);
      // A `\r` directly before a `\n` is part of `\r\n`: the `\n` is the break.
      if (this.cr !== -1 && (this.lf === -1 || this.cr < this.lf)) {
        if (this.buf[this.cr + 1] === 10) { from = this.cr + 1; continue; }
        return this.cr;
      }
      return this.lf;
    }
  }
}
