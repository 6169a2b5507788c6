import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { mayBeKeyStore, scanBytes, scanKeyStore, StreamScanner, type ChunkPlacement, type CompiledRules, type Finding } from '@tokenward/engine';
import type { ChunkOrigin, ScanProblem } from './chunk.js';
import { archiveKind, fromUtf16, looksBinary, SNIFF, utf16Of, utf16Pieces, type ArchiveKind } from './sniff.js';
import { ArchiveError, ArchiveRefused, asArchiveError, BudgetExceeded } from './archives/errors.js';
import { TarReader, type MemberSink } from './archives/tar.js';
import { BufferAccess, readZipEntries, zipDirectory, type RandomAccess, type ZipEntry } from './archives/zip.js';

/**
 * What is inside one chunk's bytes, wherever they came from (a file, a git blob, a member of an
 * archive): text and UTF-16 text are scanned; an archive (zip, jar/war/ear, tar, gzip, tar.gz) is
 * opened and each member goes through this same decision, one level deeper; a key store is a
 * finding by itself; other binary content is skipped. Content comes whole (`whole`) or in pieces
 * (`sink`: files over 16 MB, large members, gzip streams), with bounded memory either way.
 */

// fflate (synchronous streaming inflate) loads on first use: only large members and gzip streams
// need it, and a pre-commit run should not pay for loading it.
let fflateModule: typeof import('fflate') | undefined;
// node:zlib too: a scan without archives (every pre-commit run, most folders) never loads it.
let zlibModule: typeof import('node:zlib') | undefined;
const zlib = (): typeof import('node:zlib') => (zlibModule ??= createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib'));
const fflate = (): typeof import('fflate') => (fflateModule ??= createRequire(import.meta.url)('fflate') as typeof import('fflate'));

/** Content up to this size is scanned whole; larger content is streamed in pieces with overlap. */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
/** Piece size when content is read or inflated in pieces. */
export const READ_CHUNK = 8 * 1024 * 1024;
export const TOO_LARGE = 'larger than --max-file-size';

export interface ArchiveLimits {
  /** Archives inside archives: an archive this many levels down is listed, not opened. */
  maxDepth: number;
  /** Bytes of members one file (or git blob) may expand to, nested archives included. */
  maxExpandedBytes: number;
  /** Members one file (or git blob) may have, nested archives included. */
  maxEntries: number;
  /** Content that must be whole to be read (a zip inside an archive, a key store) is held up to this. */
  maxHeldBytes: number;
}

/**
 * Chosen so ordinary archives open whole and a bomb costs seconds, not the machine: the deepest
 * real nesting is an ear holding wars holding jars (3); a fat jar or a container image export
 * expands to hundreds of megabytes and has tens of thousands of entries; 42.zip expands to 4.5 PB
 * and a non-recursive zip bomb to 281 TB (both refused).
 */
export const ARCHIVE_LIMITS: Readonly<ArchiveLimits> = { maxDepth: 5, maxExpandedBytes: 1 << 30, maxEntries: 100_000, maxHeldBytes: 256 << 20 };

export interface ContentOptions {
  /** Members larger than this are skipped (and listed), like files. */
  maxFileSize?: number;
  limits?: Readonly<ArchiveLimits>;
}

/** Where content sits below the scanned chunk. */
interface Place {
  /** Appended to the chunk's path: `!lib/a.jar!app.properties`; empty for the chunk itself. */
  suffix: string;
  /** Archives above it. */
  depth: number;
  placement?: ChunkPlacement;
  /** Content of a gzip stream: an archive inside it (a .tar.gz) lists its members right under
   * the gzip file, as people name them, and counts as one level with it. */
  within?: Place;
}

/** What the content turned out to be: scanned as text, opened (archive, key store), or skipped as binary. */
export type ContentKind = 'text' | 'opened' | 'binary';

const MB = 1024 * 1024;
const size = (n: number): string => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(n % (1 << 30) ? 1 : 0)} GiB` : `${Math.round(n / MB)} MiB`);
// eslint-disable-next-line no-control-regex
const safeName = (name: string): string => name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const concat = (parts: Buffer[]): Buffer => (parts.length === 1 ? parts[0]! : Buffer.concat(parts));
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export class ContentScan {
  readonly findings: Finding[] = [];
  /** What could not be read or was refused; paths are suffixes of the chunk's path. */
  readonly problems: ScanProblem[] = [];
  /** What was left out on purpose (larger than --max-file-size). */
  readonly skipped: ScanProblem[] = [];
  private expanded = 0;
  private entries = 0;
  readonly limits: Readonly<ArchiveLimits>;

  constructor(
    readonly compiled: CompiledRules,
    private readonly origin: ChunkOrigin,
    private readonly options: ContentOptions = {},
  ) {
    this.limits = options.limits ?? ARCHIVE_LIMITS;
  }

  /** Content held whole (a file up to 16 MB, a git blob). */
  scanWhole(bytes: Buffer, placement?: ChunkPlacement): ContentKind {
    return this.top(() => this.whole(bytes, { suffix: '', depth: 0, placement }));
  }

  /** Content arriving in pieces (a file over 16 MB). Push pieces while `wanted`, then `end()`. */
  scanPieces(total: number): Sink {
    return new Sink(this, { suffix: '', depth: 0 }, total, true);
  }

  /** A zip file too large to hold, read where needed. */
  scanZipFile(src: RandomAccess): ContentKind {
    return this.top(() => {
      this.openArchive('zip', { suffix: '', depth: 0 }, () => this.zip(src, { suffix: '', depth: 0 }));
      return 'opened';
    });
  }

  /** Runs one top-level scan: a spent budget (only archives spend it) stops it, with a problem. */
  private top(run: () => ContentKind): ContentKind {
    try {
      return run();
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      this.refused(e);
      return 'opened';
    }
  }

  refused(e: BudgetExceeded): void {
    this.problems.push({ path: e.at, message: `${e.message}; the rest of this file was not scanned` });
  }

  originOf(at: Place): ChunkOrigin {
    return at.suffix ? { ...this.origin, path: this.origin.path + at.suffix } : this.origin;
  }

  problem(at: Place, message: string): void {
    this.problems.push({ path: at.suffix, message });
  }

  child(parent: Place, name: string): Place {
    // `tar -C dir .` writes ./a/b: shown as a/b.
    return { suffix: `${parent.suffix}!${safeName(name.replace(/^(?:\.?\/)+/, ''))}`, depth: parent.depth + 1 };
  }

  whole(bytes: Buffer, at: Place): ContentKind {
    if (!looksBinary(bytes)) return this.text(bytes, at, true);
    const utf16 = utf16Of(bytes);
    if (utf16) return this.text(fromUtf16(bytes, utf16), at, false);
    const kind = archiveKind(bytes);
    if (kind === 'zip') this.openArchive(kind, at, () => this.zip(new BufferAccess(bytes), at.within ?? at));
    else if (kind === 'gzip') this.openArchive(kind, at, () => this.gzipWhole(bytes, at));
    else if (kind === 'tar') this.openArchive(kind, at, () => this.feed(new TarReader(this.tarMember(at)), bytes));
    else return this.keyStore(bytes, at) ? 'opened' : 'binary';
    return 'opened';
  }

  /** Text: scanned; `mayBeDer` when its bytes are as stored (a DER key without a NUL reads as text). */
  text(bytes: Buffer, at: Place, mayBeDer: boolean): ContentKind {
    if (mayBeDer && bytes[0] === 0x30 && this.keyStore(bytes, at)) return 'opened';
    for (const f of scanBytes(this.compiled, bytes, this.originOf(at), at.placement)) this.findings.push(f);
    return 'text';
  }

  keyStore(bytes: Buffer, at: Place): boolean {
    if (!mayBeKeyStore(bytes.subarray(0, 16), bytes.length)) return false;
    const found = scanKeyStore(this.compiled, bytes, this.originOf(at));
    for (const f of found) this.findings.push(f);
    return found.length > 0;
  }

  /**
   * Opens an archive found at `at`. What cannot be read (damage, encryption, a bomb's overlapping
   * entries) is listed at the archive and its siblings are still scanned; a spent budget ends the
   * whole file's scan (see `top`).
   */
  openArchive(kind: ArchiveKind, at: Place, read: () => void): void {
    const base = at.within ?? at;
    if (base.depth >= this.limits.maxDepth) {
      this.problem(at, `${kind} archive nested ${base.depth} levels deep (limit ${this.limits.maxDepth}): not opened`);
      return;
    }
    try {
      read();
    } catch (e) {
      const err = asArchiveError(e);
      if (err instanceof BudgetExceeded || !(err instanceof ArchiveError || err instanceof ArchiveRefused)) throw err;
      this.problem(at, err instanceof ArchiveRefused ? `refused: ${err.message}` : `${kind} archive cannot be read: ${err.message}`);
    }
  }

  charge(bytes: number, at: Place): void {
    this.expanded += bytes;
    if (this.expanded > this.limits.maxExpandedBytes) {
      throw new BudgetExceeded(at.suffix, `refused: archive contents expand past ${size(this.limits.maxExpandedBytes)} (the archive budget: a zip bomb?)`);
    }
  }

  countEntries(n: number, at: Place): void {
    this.entries += n;
    if (this.entries > this.limits.maxEntries) throw new BudgetExceeded(at.suffix, `refused: more than ${this.limits.maxEntries} archive members (the archive budget: a zip bomb?)`);
  }

  private feed(reader: MemberSink, bytes: Buffer): void {
    reader.push(bytes);
    reader.end();
  }

  private zip(src: RandomAccess, at: Place): void {
    const dir = zipDirectory(src);
    // Refused before the directory is read: a zip declaring millions of entries costs nothing.
    if (this.entries + dir.entries > this.limits.maxEntries) this.countEntries(dir.entries, at);
    const entries = readZipEntries(src, dir);
    const declared = entries.reduce((n, e) => n + e.size, 0);
    if (this.expanded + declared > this.limits.maxExpandedBytes) {
      throw new BudgetExceeded(at.suffix, `refused: members declare ${size(declared)} uncompressed, past the archive budget of ${size(this.limits.maxExpandedBytes)} (a zip bomb?)`);
    }
    for (const e of entries) {
      const member = this.child(at, e.name);
      this.countEntries(1, member);
      if (e.flags & 0x41) this.problem(member, 'encrypted: not scanned');
      else if (e.method !== 0 && e.method !== 8) this.problem(member, `compression method ${e.method} is not supported (stored and deflate are): not scanned`);
      else if (this.options.maxFileSize !== undefined && e.size > this.options.maxFileSize) this.skipped.push({ path: member.suffix, message: TOO_LARGE });
      else {
        try {
          this.zipMember(src, e, member);
        } catch (err) {
          const ae = asArchiveError(err);
          if (ae instanceof BudgetExceeded || !(ae instanceof ArchiveError || ae instanceof ArchiveRefused)) throw ae;
          this.problem(member, ae instanceof ArchiveRefused ? `refused: ${ae.message}` : `cannot be read: ${ae.message}`);
        }
      }
    }
  }

  private zipMember(src: RandomAccess, e: ZipEntry, at: Place): void {
    if (e.method === 0 && e.compressedSize !== e.size) throw new ArchiveError(`stored size ${e.compressedSize} is not its size ${e.size}`);
    if (e.size <= WHOLE_FILE_LIMIT) {
      this.charge(e.size, at);
      let bytes: Buffer;
      if (e.method === 0) bytes = src.read(e.dataStart, e.size);
      else {
        try {
          // Native and bounded: more output than declared stops here, at the declared size.
          bytes = zlib().inflateRawSync(src.read(e.dataStart, e.compressedSize), { maxOutputLength: Math.max(1, e.size) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveRefused(`expands past its declared ${e.size} bytes (a zip bomb?)`);
          throw asArchiveError(err);
        }
        if (bytes.length !== e.size) throw new ArchiveError(`inflates to ${bytes.length} bytes, not the ${e.size} declared`);
      }
      this.whole(bytes, at);
      return;
    }
    // A large member is inflated and scanned in pieces: memory stays bounded whatever its size.
    const sink = new Sink(this, at, e.size, false);
    let produced = 0;
    const out = (d: Uint8Array): void => {
      produced += d.length;
      if (produced > e.size) throw new ArchiveRefused(`expands past its declared ${e.size} bytes (a zip bomb?)`);
      this.charge(d.length, at);
      if (sink.wanted) sink.push(d);
    };
    const inflate = e.method === 8 ? new (fflate().Inflate)((d) => out(d)) : undefined;
    // Binary content that is no archive or key store is dropped after its first bytes: stop there.
    for (let pos = 0; pos < e.compressedSize && sink.wanted; ) {
      const n = Math.min(READ_CHUNK, e.compressedSize - pos);
      const piece = src.read(e.dataStart + pos, n);
      pos += n;
      if (inflate) inflate.push(piece, pos === e.compressedSize);
      else out(piece);
    }
    sink.end();
  }

  /** A small gzip file is inflated natively at once (its trailer gives the size); else in pieces. */
  private gzipWhole(bytes: Buffer, at: Place): void {
    const declared = bytes.length >= 18 ? bytes.readUInt32LE(bytes.length - 4) : Infinity;
    if (declared <= WHOLE_FILE_LIMIT) {
      let out: Buffer | undefined;
      try {
        out = zlib().gunzipSync(bytes, { maxOutputLength: WHOLE_FILE_LIMIT });
      } catch (err) {
        // Several members (the trailer gives the last one's size only) or a lying trailer: stream it.
        if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw asArchiveError(err);
      }
      if (out) {
        this.charge(out.length, at);
        this.whole(out, this.gzipInner(at, bytes));
        return;
      }
    }
    this.feed(this.gzipReader(at), bytes);
  }

  /** Where a gzip stream's content sits: under the name in its header, or its own name less `.gz`. */
  gzipInner(at: Place, head: Buffer): Place {
    let name: string | undefined;
    const flags = head[3]!;
    let p = 10;
    if (flags & 4 && head.length >= 12) p += 2 + head.readUInt16LE(10);
    if (flags & 8 && p < head.length) {
      const nul = head.indexOf(0, p);
      if (nul > p) name = head.toString('latin1', p, nul);
    }
    if (!name) {
      const own = (this.origin.path + at.suffix).split(/[/!\\]/).pop() ?? '';
      name = own.replace(/\.tgz$/i, '.tar').replace(/\.(?:gz|gzip)$/i, '') || 'gunzipped';
    }
    return { ...this.child(at, name), within: at };
  }

  /** A gzip stream inflated in pieces (multi-member files too), each piece charged to the budget. */
  gzipReader(at: Place): MemberSink {
    let inner: Sink | undefined;
    let gunzip: InstanceType<typeof import('fflate').Gunzip> | undefined;
    return {
      push: (piece) => {
        if (!gunzip) {
          const sink = (inner = new Sink(this, this.gzipInner(at, asBuffer(piece)), undefined, false));
          gunzip = new (fflate().Gunzip)((d) => {
            this.charge(d.length, at);
            if (sink.wanted) sink.push(d);
          });
        }
        try {
          gunzip.push(piece);
        } catch (e) {
          throw asArchiveError(e);
        }
      },
      end: () => {
        try {
          gunzip?.push(new Uint8Array(0), true);
        } catch (e) {
          throw asArchiveError(e);
        }
        inner?.end();
      },
    };
  }

  /** Each regular file of a tar stream as content one level down. */
  tarMember(at: Place): (name: string, size: number) => MemberSink | undefined {
    const base = at.within ?? at;
    return (name, bytes) => {
      const member = this.child(base, name);
      this.countEntries(1, member);
      if (this.options.maxFileSize !== undefined && bytes > this.options.maxFileSize) {
        this.skipped.push({ path: member.suffix, message: TOO_LARGE });
        return undefined;
      }
      return new Sink(this, member, bytes, false);
    };
  }
}

/**
 * Content arriving in pieces: its first 8000 bytes decide what it is, as for whole content. Text
 * is held up to 16 MB and scanned whole, or streamed past that with overlap (UTF-16 transcoded as
 * it comes); a gzip or tar stream is read as it comes; a zip or key store is held (up to
 * `maxHeldBytes`) and opened at the end; other binary is dropped (`wanted` turns false).
 */
export class Sink implements MemberSink {
  private mode: 'sniff' | 'text' | 'hold' | 'archive' | 'discard' = 'sniff';
  private parts: Buffer[] = [];
  private bytes = 0;
  private decoder: ReturnType<typeof utf16Pieces> | undefined;
  private stream: StreamScanner | undefined;
  private archive: MemberSink | undefined;
  private mayBeDer = false;
  kind: ContentKind = 'binary';

  constructor(
    private readonly scan: ContentScan,
    private readonly at: Place,
    /** The content's size when known (files, members): a DER key is recognised by it. */
    private readonly total: number | undefined,
    /** The scanned chunk itself (a large file): a spent budget is reported here. */
    private readonly isTop: boolean,
  ) {}

  /** False once the rest cannot matter (binary that is no archive or key store). */
  get wanted(): boolean {
    return this.mode !== 'discard';
  }

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.guard(() => {
      switch (this.mode) {
        case 'sniff':
          this.parts.push(Buffer.from(piece));
          this.bytes += piece.length;
          if (this.bytes >= SNIFF) this.decide();
          return;
        case 'text':
          return this.text(asBuffer(piece), true);
        case 'hold':
          if (this.bytes + piece.length > this.scan.limits.maxHeldBytes) {
            this.scan.problem(this.at, `binary content over ${size(this.scan.limits.maxHeldBytes)} cannot be held to be opened: not scanned`);
            this.drop();
            return;
          }
          this.parts.push(Buffer.from(piece));
          this.bytes += piece.length;
          return;
        case 'archive':
          return this.archive!.push(piece);
        case 'discard':
          return;
      }
    });
  }

  end(): void {
    this.guard(() => {
      if (this.mode === 'sniff') this.decide();
      if (this.mode === 'text') {
        if (this.decoder) this.text(this.decoder.end(), false);
        if (this.stream) this.stream.end();
        else this.kind = this.scan.text(concat(this.parts), this.at, this.mayBeDer);
      } else if (this.mode === 'hold') {
        const bytes = concat(this.parts);
        this.parts = [];
        this.kind = archiveKind(bytes) === 'zip' ? (this.scan.whole(bytes, this.at), 'opened') : this.scan.keyStore(bytes, this.at) ? 'opened' : 'binary';
      } else if (this.mode === 'archive') this.archive!.end();
    });
  }

  /** Errors of a nested archive stay with it (its siblings go on); a spent budget goes up. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (e) {
      const err = asArchiveError(e);
      if (err instanceof BudgetExceeded && this.isTop) {
        this.scan.refused(err);
        this.drop();
        return;
      }
      if (err instanceof BudgetExceeded || !(err instanceof ArchiveError || err instanceof ArchiveRefused)) throw err;
      this.scan.problem(this.at, err instanceof ArchiveRefused ? `refused: ${err.message}` : `archive cannot be read: ${err.message}`);
      this.drop();
    }
  }

  private drop(): void {
    this.mode = 'discard';
    this.parts = [];
    this.archive = undefined;
  }

  private decide(): void {
    const head = concat(this.parts);
    this.parts = [];
    this.bytes = 0;
    if (!looksBinary(head)) {
      this.mode = 'text';
      this.kind = 'text';
      this.mayBeDer = head[0] === 0x30;
      return this.text(head, false);
    }
    const utf16 = utf16Of(head);
    if (utf16) {
      this.mode = 'text';
      this.kind = 'text';
      this.decoder = utf16Pieces(utf16);
      return this.text(head, true);
    }
    const kind = archiveKind(head);
    if (kind === 'zip' || (!kind && mayBeKeyStore(head.subarray(0, 16), this.total ?? -1))) {
      this.mode = 'hold';
      this.parts = [head];
      this.bytes = head.length;
      return;
    }
    if (!kind) return this.drop();
    this.kind = 'opened';
    const base = this.at.within ?? this.at;
    if (base.depth >= this.scan.limits.maxDepth) {
      this.scan.problem(this.at, `${kind} archive nested ${base.depth} levels deep (limit ${this.scan.limits.maxDepth}): not opened`);
      return this.drop();
    }
    this.mode = 'archive';
    this.archive = kind === 'tar' ? new TarReader(this.scan.tarMember(this.at)) : this.scan.gzipReader(this.at);
    this.archive.push(head);
  }

  /** Text (or UTF-16 to transcode, `raw`): held up to 16 MB, then streamed with overlap. */
  private text(piece: Buffer, raw: boolean): void {
    const utf8 = raw && this.decoder ? this.decoder.push(piece) : piece;
    if (this.stream) return this.stream.push(utf8);
    if (this.bytes + utf8.length <= WHOLE_FILE_LIMIT && (this.total ?? 0) <= WHOLE_FILE_LIMIT) {
      // Pieces may be views of a reused read buffer: keep a copy.
      this.parts.push(utf8 === piece ? Buffer.from(utf8) : utf8);
      this.bytes += utf8.length;
      return;
    }
    const scan = this.scan;
    this.stream = new StreamScanner(scan.compiled, scan.originOf(this.at), (found) => {
      for (const f of found) scan.findings.push(f);
    }, { chunkSize: READ_CHUNK });
    for (const p of this.parts) this.stream.push(p);
    this.parts = [];
    this.stream.push(utf8);
  }
}
