import { Buffer } from 'node:buffer';
import { tarChecksumOk } from '../sniff.js';
import { ArchiveError } from './errors.js';

/**
 * A tar stream read as it comes (POSIX ustar, GNU long names, pax `path`/`size` records): a
 * gzip-compressed tarball is never held whole. Each regular file is handed to `member`, which
 * returns where its bytes go; links, folders and devices have no content to scan.
 */

export interface MemberSink {
  push(bytes: Uint8Array): void;
  end(): void;
}

const BLOCK = 512;
/** A GNU long name or pax record larger than this is not a header but damage. */
const MAX_META = 1 << 20;

const field = (h: Buffer, from: number, len: number): string => {
  const raw = h.subarray(from, from + len);
  const nul = raw.indexOf(0);
  return (nul === -1 ? raw : raw.subarray(0, nul)).toString('utf8');
};

function sizeOf(h: Buffer): number {
  // GNU base-256 for sizes of 8 GiB and more.
  if (h[124]! & 0x80) {
    let n = h[124]! & 0x7f;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i]!;
    return n;
  }
  const s = field(h, 124, 12).trim();
  if (!/^[0-7]*$/.test(s)) throw new ArchiveError('damaged tar header (size)');
  return s ? parseInt(s, 8) : 0;
}

/** pax extended header records: "<length> <key>=<value>\n". */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    const space = data.indexOf(0x20, p);
    const len = space === -1 ? NaN : parseInt(data.toString('latin1', p, space), 10);
    if (!(len > 0) || p + len > data.length) break;
    const rec = data.toString('utf8', space + 1, p + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    p += len;
  }
  return out;
}

export class TarReader {
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Bytes of the current entry's data still to come, then its padding to a block. */
  private remaining = 0;
  private padding = 0;
  private sink: MemberSink | undefined;
  /** A GNU long name ('L') or pax header ('x') being collected: its data describes the next entry. */
  private meta: { type: string; parts: Buffer[]; size: number } | undefined;
  private nextName: string | undefined;
  private nextSize: number | undefined;
  /** The end-of-archive block was read: the rest is padding. */
  done = false;

  constructor(private readonly member: (name: string, size: number) => MemberSink | undefined) {}

  push(piece: Uint8Array): void {
    let p = 0;
    const buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (p < buf.length && !this.done) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, buf.length - p);
        const part = buf.subarray(p, p + n);
        if (this.meta) this.meta.parts.push(Buffer.from(part));
        else this.sink?.push(part);
        this.remaining -= n;
        p += n;
        if (this.remaining === 0) this.finishEntry();
      } else if (this.padding > 0) {
        const n = Math.min(this.padding, buf.length - p);
        this.padding -= n;
        p += n;
      } else {
        const n = Math.min(BLOCK - this.headerFill, buf.length - p);
        buf.copy(this.header, this.headerFill, p, p + n);
        this.headerFill += n;
        p += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.readHeader();
        }
      }
    }
  }

  end(): void {
    if (this.remaining > 0 || this.headerFill > 0) throw new ArchiveError('truncated tar archive');
  }

  private readHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      this.done = true;
      return;
    }
    if (!tarChecksumOk(h)) throw new ArchiveError('damaged tar header (checksum)');
    const type = String.fromCharCode(h[156]!);
    let size = sizeOf(h);
    const prefix = h.toString('latin1', 257, 262) === 'ustar' ? field(h, 345, 155) : '';
    let name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.remaining = size;
    if (type === 'L' || type === 'x') {
      if (size > MAX_META) throw new ArchiveError('damaged tar header (oversized name record)');
      this.meta = { type, parts: [], size };
      if (size === 0) this.finishEntry();
      return;
    }
    if (type === '0' || type === '\0' || type === '7') {
      if (this.nextSize !== undefined) {
        size = this.nextSize;
        this.remaining = size;
        this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
      }
      name = this.nextName ?? name;
      this.sink = this.member(name, size);
    } else this.sink = undefined; // links, folders, devices, global pax records: nothing to scan
    this.nextName = this.nextSize = undefined;
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    if (this.meta) {
      const data = Buffer.concat(this.meta.parts);
      if (this.meta.type === 'L') this.nextName = field(data, 0, data.length);
      else {
        const pax = paxRecords(data);
        if (pax.has('path')) this.nextName = pax.get('path');
        const s = pax.get('size');
        if (s !== undefined && /^\d+$/.test(s)) this.nextSize = Number(s);
      }
      this.meta = undefined;
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
  }
}
