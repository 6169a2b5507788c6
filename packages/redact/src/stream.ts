import { Buffer } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import type { CompiledRules, Origin } from '@tokenward/engine';
import { applySpans, maskedSecret, spansToMask, type MaskedSecret, type MaskStyle } from './masker.js';

export interface LineRedactorOptions {
  mask?: MaskStyle;
  /** Called once per masked secret occurrence (fingerprint and rule id only). Without it no
   * fingerprint is computed. */
  onMasked?: (masked: MaskedSecret) => void;
  /** A line longer than this is written without waiting for its end, minus a held-back tail
   * long enough for any secret. Default 1 MiB. */
  maxLineBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const ORIGIN: Origin = { path: '<stdin>', kind: 'stdin' };
/** Bytes already written kept as context: look-behinds, keys before values, pair partners. */
const MIN_CONTEXT = 1024;
/** A PEM private key is held until its END line, at most this many bytes. */
const PEM_HOLD_MAX = 20 * 1024;
const PEM_BEGIN = Buffer.from('-----BEGIN ');
const PEM_END = Buffer.from('-----END ');
const PRIVATE_KEY = /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

/** End (exclusive) of the last line terminator (LF or a lone CR, as progress bars write) in `buf[from..)`. */
function lastLineEnd(buf: Buffer, from: number): number {
  const end = Math.max(buf.lastIndexOf(LF), buf.lastIndexOf(CR));
  return end >= from ? end + 1 : -1;
}

/**
 * Redacts a byte stream line by line: a line is written once it is complete (so a secret split
 * across two writes is seen whole), with every secret the engine finds replaced by its mask and
 * every other byte unchanged. Memory is bounded: a line longer than `maxLineBytes` is written in
 * pieces, holding back a tail longer than any rule's match so a secret across the cut is still
 * caught in the next piece.
 */
export class LineRedactor {
  /** `buf[0, written)` was output already (context); `buf[written, …)` waits for its line end. */
  private buf: Buffer = Buffer.alloc(0);
  private written = 0;
  private readonly mask: MaskStyle;
  private readonly maxLineBytes: number;
  private readonly tail: number;
  private readonly context: number;
  bytesIn = 0;
  masked = 0;

  constructor(
    private readonly compiled: CompiledRules,
    private readonly options: LineRedactorOptions = {},
  ) {
    this.mask = options.mask ?? 'partial';
    this.tail = Math.max(compiled.maxWindow, 4096);
    this.maxLineBytes = Math.max(options.maxLineBytes ?? 1024 * 1024, this.tail * 2);
    let before = 0;
    for (const r of compiled.rules) before = Math.max(before, r.before + 16, r.def.pair?.window?.before ?? 512);
    this.context = Math.min(Math.max(MIN_CONTEXT, before), 64 * 1024);
  }

  /** Takes the next bytes; returns what can be written now (possibly empty). */
  push(chunk: Uint8Array): Buffer {
    if (chunk.length === 0) return EMPTY;
    this.bytesIn += chunk.length;
    this.buf = this.buf.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.buf, chunk]);
    let ready = lastLineEnd(this.buf, this.written);
    // No line end: wait for it, unless the line grows too long.
    if (ready < 0) ready = this.written;
    ready = this.holdPrivateKey(ready);
    if (this.buf.length - this.written > this.maxLineBytes && ready - this.written < this.tail) {
      ready = this.buf.length - this.tail;
      return this.emit(ready, true);
    }
    if (ready <= this.written) return EMPTY;
    return this.emit(ready, false);
  }

  /** End of input: everything left is written. */
  end(): Buffer {
    if (this.buf.length === this.written) return EMPTY;
    const out = this.emit(this.buf.length, false);
    this.buf = Buffer.alloc(0);
    this.written = 0;
    return out;
  }

  /**
   * A private key spans lines: its BEGIN line is held until the END line arrives, so the block is
   * masked whole (bounded: after PEM_HOLD_MAX bytes it is released).
   */
  private holdPrivateKey(ready: number): number {
    let at = this.buf.indexOf(PEM_BEGIN, this.written);
    while (at !== -1 && at < ready) {
      const head = this.buf.toString('latin1', at, Math.min(this.buf.length, at + 64));
      if (PRIVATE_KEY.test(head)) {
        const end = this.buf.indexOf(PEM_END, at + PEM_BEGIN.length);
        if (end === -1 || end >= ready) {
          if (this.buf.length - at > PEM_HOLD_MAX) return ready;
          const lineStart = Math.max(this.buf.lastIndexOf(LF, at), this.buf.lastIndexOf(CR, at)) + 1;
          return Math.max(this.written, lineStart);
        }
        at = this.buf.indexOf(PEM_BEGIN, end);
        continue;
      }
      at = this.buf.indexOf(PEM_BEGIN, at + 1);
    }
    return ready;
  }

  /** Writes `buf[written, to)` masked; `cut` means `to` is mid-line (the long-line cap). */
  private emit(to: number, cut: boolean): Buffer {
    const from = this.written;
    // Scan only complete lines (or the capped piece plus its held tail, so a match across the
    // cut is known and the cut moved before it).
    const scanned = cut ? this.buf : this.buf.subarray(0, to);
    const spans = spansToMask(this.compiled, scanned, from, this.mask, ORIGIN);
    if (cut) {
      for (const s of spans) if (s.start < to && s.end > to) to = s.start;
    }
    const kept = spans.filter((s) => s.start < to);
    const onMasked = this.options.onMasked;
    if (onMasked) for (const s of kept) onMasked(maskedSecret(s));
    this.masked += kept.length;
    const out = applySpans(this.buf, from, to, kept);
    // Keep a little of what was written as context for the next scan.
    const keepFrom = Math.max(0, to - this.context);
    this.buf = this.buf.subarray(keepFrom);
    this.written = to - keepFrom;
    if (this.buf.length > this.written) this.buf = Buffer.from(this.buf); // do not pin the large parent buffer
    return out;
  }
}

const EMPTY = Buffer.alloc(0);

/** A Node Transform: bytes in, the same bytes out with secrets masked, line by line. */
export function createRedactStream(compiled: CompiledRules, options: LineRedactorOptions = {}): Transform & { redactor: LineRedactor } {
  const redactor = new LineRedactor(compiled, options);
  const stream = new Transform({
    transform(chunk: Buffer | string, encoding: BufferEncoding, done: TransformCallback) {
      try {
        const out = redactor.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
        if (out.length) this.push(out);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        const out = redactor.end();
        if (out.length) this.push(out);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  return Object.assign(stream, { redactor });
}
