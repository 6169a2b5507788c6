import { Buffer } from 'node:buffer';
import { readSync } from 'node:fs';
import { ArchiveError, ArchiveRefused } from './errors.js';

/**
 * The central directory of a zip file (jar, war, ear, …): what its entries are and where their
 * data is, read the way unzip and the JDK do (end record, ZIP64, data prepended to the archive),
 * and refused when entries overlap, the construction of non-recursive zip bombs. Inflating is the
 * caller's job: it charges every byte to its budget as it goes.
 */

/** Bytes of a file or buffer read at any position (a zip's directory is at its end). */
export interface RandomAccess {
  readonly size: number;
  read(pos: number, len: number): Buffer;
}

export class BufferAccess implements RandomAccess {
  constructor(private readonly bytes: Buffer) {}
  get size(): number {
    return this.bytes.length;
  }
  read(pos: number, len: number): Buffer {
    if (pos < 0 || pos + len > this.bytes.length) throw new ArchiveError('truncated');
    return this.bytes.subarray(pos, pos + len);
  }
}

/** A file too large to hold: read where asked, so a zip of any size takes little memory. */
export class FileAccess implements RandomAccess {
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  read(pos: number, len: number): Buffer {
    if (pos < 0 || pos + len > this.size) throw new ArchiveError('truncated');
    const out = Buffer.allocUnsafe(len);
    for (let got = 0; got < len; ) {
      const n = readSync(this.fd, out, got, len - got, pos + got);
      if (n === 0) throw new ArchiveError('truncated');
      got += n;
    }
    return out;
  }
}

export interface ZipEntry {
  /** As stored (UTF-8, or read as Latin-1 when it is not), control characters escaped. */
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  /** Where the entry's compressed data starts. */
  dataStart: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

const u64 = (b: Buffer, at: number): number => {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveError('size field out of range');
  return Number(v);
};

/** Entry names are shown in reports: control characters (a newline could forge a report line) escaped. */
export function displayName(raw: Buffer, utf8: boolean): string {
  let name = raw.toString('utf8');
  if (!utf8 && !Buffer.from(name, 'utf8').equals(raw)) name = raw.toString('latin1');
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export interface ZipDirectory {
  entries: number;
  offset: number;
  size: number;
  /** Bytes before the archive proper (a launcher script, a self-extractor): added to every offset. */
  shift: number;
}

/** The end record: how many entries the archive declares and where its directory is (cheap: a
 * budget can refuse the archive before its directory is read). */
export function zipDirectory(src: RandomAccess): ZipDirectory {
  const tailLen = Math.min(src.size, 22 + MAX_COMMENT);
  if (tailLen < 22) throw new ArchiveError('no end of central directory record');
  const tail = src.read(src.size - tailLen, tailLen);
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD || i + 22 + tail.readUInt16LE(i + 20) > tailLen) continue;
    const eocdPos = src.size - tailLen + i;
    if (tail.readUInt16LE(i + 4) !== 0 || tail.readUInt16LE(i + 6) !== 0) throw new ArchiveError('split (multi-disk) archive');
    let entries = tail.readUInt16LE(i + 10);
    let size = tail.readUInt32LE(i + 12);
    let offset = tail.readUInt32LE(i + 16);
    let end = eocdPos;
    if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      if (eocdPos < 20) throw new ArchiveError('ZIP64 locator missing');
      const loc = src.read(eocdPos - 20, 20);
      if (loc.readUInt32LE(0) === ZIP64_LOCATOR) {
        // Search back from the locator: the ZIP64 record's stored offset ignores prepended data.
        const recPos = eocdPos - 20 - 56;
        const rec = recPos >= 0 ? src.read(recPos, 56) : undefined;
        if (!rec || rec.readUInt32LE(0) !== ZIP64_EOCD) throw new ArchiveError('ZIP64 end record missing');
        entries = u64(rec, 32);
        size = u64(rec, 40);
        offset = u64(rec, 48);
        end = recPos;
      }
    }
    const shift = end - size - offset;
    if (shift < 0) throw new ArchiveError('central directory outside the file');
    return { entries, offset, size, shift };
  }
  throw new ArchiveError('no end of central directory record');
}

/**
 * The archive's file entries (directories left out), in directory order. Throws ArchiveError for
 * a damaged directory, and for entries whose data overlap: no tool writes that, a zip bomb does
 * (one compressed kernel shared by thousands of entries).
 */
export function readZipEntries(src: RandomAccess, dir: ZipDirectory): ZipEntry[] {
  if (dir.size > src.size) throw new ArchiveError('central directory larger than the file');
  const cd = src.read(dir.offset + dir.shift, dir.size);
  const entries: Array<ZipEntry & { header: number }> = [];
  let p = 0;
  for (let i = 0; i < dir.entries; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ArchiveError('damaged central directory');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let header = cd.readUInt32LE(p + 42);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cd.length) throw new ArchiveError('damaged central directory');
    const rawName = cd.subarray(p + 46, p + 46 + nameLen);
    // ZIP64 extra field: the 64-bit values of the fields saturated at 0xFFFFFFFF, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw new ArchiveError('damaged ZIP64 extra field');
          const v = u64(cd, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (header === 0xffffffff) header = take();
      }
      e += 4 + len;
    }
    p = next;
    if (rawName.length > 0 && rawName[rawName.length - 1] === 0x2f /* '/' */) continue;
    entries.push({ name: displayName(rawName, (flags & 0x800) !== 0), method, flags, compressedSize, size, dataStart: 0, header: header + dir.shift });
  }
  // Where each entry's data starts is in its local header (whose name and extra lengths may differ
  // from the central directory's); data must end before the next entry begins.
  const byOffset = [...entries].sort((a, b) => a.header - b.header);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const local = src.read(e.header, 30);
    if (local.readUInt32LE(0) !== LOCAL) throw new ArchiveError(`damaged local header of ${e.name}`);
    e.dataStart = e.header + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const limit = i + 1 < byOffset.length ? byOffset[i + 1]!.header : src.size;
    if (e.dataStart + e.compressedSize > limit) {
      if (limit < src.size) throw new ArchiveRefused(`entries overlap (${e.name}): a zip bomb's construction`);
      throw new ArchiveError(`${e.name} is truncated`);
    }
  }
  return entries.map(({ header: _, ...e }) => e);
}
