import { Buffer } from 'node:buffer';
import type { CompiledRules } from './compile.js';
import { scanBytes, utf16Length } from './scan.js';
import type { Finding, Origin } from './types.js';
import { LineBreakCursor } from './lines.js';

export interface StreamScannerOptions {
  /** Scan once this many new bytes are buffered. Default 1 MiB. */
  chunkSize?: number;
  /** A line longer than this is scanned without waiting for its end. Default 4 MiB. */
  maxLineBytes?: number;
}

/**
 * Scans an unbounded byte stream (piped logs, large files) with bounded memory. Bytes are scanned
 * in chunks; each new chunk keeps a tail of the previous one so a secret split across two reads is
 * still found, and a secret is reported once, as soon as the line holding it is complete.
 */
export class StreamScanner {
  private pending: Buffer = Buffer.alloc(0);
  /** Absolute offset of pending[0]. */
  private base = 0;
  private baseLine = 1;
  private baseColumn = 1;
  /** Bytes in `pending` not yet covered by a scan. */
  private fresh = 0;
  private readonly overlap: number;
  private readonly chunkSize: number;
  private readonly maxLineBytes: number;
  /** Matches already reported that started in the retained tail: `rule@absStart`. */
  private reportedKeys = new Map<string, number>();
  bytesSeen = 0;

  constructor(
    private readonly compiled: CompiledRules,
    private readonly origin: Origin,
    private readonly onFindings: (findings: Finding[]) => void,
    options: StreamScannerOptions = {},
  ) {
    this.overlap = Math.max(compiled.maxWindow * 2, 64 * 1024);
    this.chunkSize = options.chunkSize ?? 1024 * 1024;
    this.maxLineBytes = Math.max(options.maxLineBytes ?? 4 * 1024 * 1024, this.overlap * 2);
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.bytesSeen += bytes.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : Buffer.from(bytes);
    this.fresh += bytes.length;
    if (this.fresh >= this.chunkSize) this.scan(false);
  }

  /** Scans what has arrived so far (complete lines only): call when the input goes idle. A live
   * input is reported without waiting for what may follow (see `scan`). */
  flush(): void {
    if (this.fresh > 0) this.scan(false, true);
  }

  end(): void {
    this.scan(true);
    this.pending = Buffer.alloc(0);
  }

  private scan(final: boolean, idle = false): void {
    const buf = this.pending;
    let reportTo: number;
    if (final) reportTo = buf.length;
    else {
      // The last complete line ends at a `\n` or at a `\r` (CR-only files); a `\r` at the very
      // end may still be the first half of `\r\n`, so it waits for the next byte.
      const nl = Math.max(buf.lastIndexOf(10), buf.length >= 2 ? buf.lastIndexOf(13, buf.length - 2) : -1);
      reportTo = nl >= 0 ? nl + 1 : 0;
      // An endless line must not grow the buffer without bound.
      if (buf.length - reportTo > this.maxLineBytes) reportTo = buf.length - this.overlap;
      // What comes next can still claim a match near the end (a provider's keyword on a later
      // line, a partner): such matches wait until that much more has arrived, as a whole-file
      // scan would have seen it. An idle input is reported as it stands.
      if (!idle) reportTo = Math.max(0, Math.min(reportTo, buf.length - this.compiled.maxLookahead));
    }
    const findings = scanBytes(this.compiled, buf, this.origin, {
      baseByte: this.base,
      baseLine: this.baseLine,
      baseColumn: this.baseColumn,
      reportTo,
    }).filter((f) => {
      const key = `${f.ruleId}@${f.byteOffset}`;
      if (this.reportedKeys.has(key)) return false;
      this.reportedKeys.set(key, f.byteOffset);
      return true;
    });
    this.fresh = 0;
    if (findings.length) this.onFindings(findings);
    if (final) return;
    // Keep a tail so patterns spanning the cut are seen whole next time.
    const keepFrom = Math.max(0, Math.min(reportTo, buf.length - this.overlap));
    if (keepFrom > 0) this.advance(keepFrom);
  }

  private advance(cut: number): void {
    const dropped = this.pending.subarray(0, cut);
    // Breaks are judged on the whole buffer so a `\r\n` split by the cut counts once.
    const breaks = new LineBreakCursor(this.pending);
    let nl = breaks.next(0);
    let lastNl = -1;
    while (nl !== -1 && nl < cut) {
      this.baseLine++;
      lastNl = nl;
      nl = breaks.next(nl + 1);
    }
    if (lastNl >= 0) this.baseColumn = 1 + utf16Length(dropped, lastNl + 1, cut);
    else this.baseColumn += utf16Length(dropped, 0, cut);
    this.base += cut;
    this.pending = Buffer.from(this.pending.subarray(cut));
    for (const [key, offset] of this.reportedKeys) if (offset < this.base) this.reportedKeys.delete(key);
  }
}
