import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { mayBeKeyStore, scanBytes, type ChunkPlacement, type CompiledRules } from '@tokenward/engine';
import type { BytesChunk, Chunk, ChunkOrigin, ChunkOutcome, FileChunk } from './chunk.js';
import { ContentScan, READ_CHUNK, TOO_LARGE, WHOLE_FILE_LIMIT, type ArchiveLimits, type ContentKind } from './content.js';
import { archiveKind, fromUtf16, looksBinary, utf16Of } from './sniff.js';
import { FileAccess } from './archives/zip.js';

/**
 * How a chunk is read and scanned, wherever it is (this thread or a worker): text, UTF-16, an
 * archive, a key store or other binary is decided here, by content, for every source alike
 * (content.ts opens archives and key stores). Text, the common case, takes the shortest path.
 */

export { WHOLE_FILE_LIMIT } from './content.js';
export { looksBinary } from './sniff.js';

/**
 * One read buffer per thread, reused from file to file: allocating a fresh Buffer per file made
 * the garbage collector as busy as the scan itself. Safe because a file is scanned synchronously
 * and findings keep strings, never views of the bytes.
 */
let sharedReadBuffer: Buffer | undefined;
/** A large file's first piece: enough to sniff (SNIFF bytes) what it is. */
const FIRST_PIECE = 64 * 1024;
function readBuffer(size: number): Buffer {
  if (!sharedReadBuffer || sharedReadBuffer.length < size) {
    let cap = 1 << 20;
    while (cap < size) cap *= 2;
    sharedReadBuffer = Buffer.allocUnsafeSlow(cap);
  }
  return sharedReadBuffer;
}

/**
 * The bytes to scan: as they are for text, transcoded to UTF-8 for UTF-16, undefined for binary.
 * Every source (files, staged, history) decides with this one function so they cannot disagree.
 */
export function textBytes(bytes: Buffer): Buffer | undefined {
  if (!looksBinary(bytes)) return bytes;
  const utf16 = utf16Of(bytes);
  return utf16 ? fromUtf16(bytes, utf16) : undefined;
}

export interface ScanChunkOptions {
  /** Files, blobs and archive members larger than this are skipped (and counted). Default: no limit. */
  maxFileSize?: number;
  /** Archive budgets (tests make them small); default ARCHIVE_LIMITS. */
  archiveLimits?: Readonly<ArchiveLimits>;
}

/** Scans one chunk. Never throws for I/O problems: they become an outcome. */
export function scanChunk(compiled: CompiledRules, chunk: Chunk, options: ScanChunkOptions = {}): ChunkOutcome {
  return 'file' in chunk ? scanFile(compiled, chunk, options) : scanInMemory(compiled, chunk, options);
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Binary content that may be an archive or a key store: `scanContent` opens it (in a worker). */
export interface OpenableBytes {
  kind: 'open';
  bytes: Buffer;
}

/** A DER key holds no NUL when it is small enough (an EC key): content starting with 0x30 and as
 * long as its DER header says goes to the key-store check too. Constant time. */
const mayBeDerKey = (bytes: Buffer): boolean => bytes[0] === 0x30 && mayBeKeyStore(bytes.subarray(0, 16), bytes.length);

/**
 * What an in-memory chunk needs before any scanning: an outcome when it is too large or binary
 * (cheap: a look at its start), the text to scan (UTF-16 transcoded), or content to open (an
 * archive, a key store). The pool calls it before queuing, so binary blobs never travel to a worker.
 */
export function admitBytes(chunk: BytesChunk, options: ScanChunkOptions): ChunkOutcome | Buffer | OpenableBytes {
  const raw = asBuffer(chunk.bytes);
  if (chunk.text) return raw;
  if (options.maxFileSize !== undefined && raw.length > options.maxFileSize) return { kind: 'skipped', bytes: raw.length, reason: TOO_LARGE };
  if (!looksBinary(raw)) return mayBeDerKey(raw) ? { kind: 'open', bytes: raw } : raw;
  const utf16 = utf16Of(raw);
  if (utf16) return fromUtf16(raw, utf16);
  return archiveKind(raw) || mayBeKeyStore(raw.subarray(0, 16), raw.length) ? { kind: 'open', bytes: raw } : { kind: 'binary', bytes: raw.length };
}

/** Scans admitted text; `size` is what counts report (the stored size, before transcoding). */
export function scanAdmitted(compiled: CompiledRules, text: Buffer, origin: ChunkOrigin, placement: ChunkPlacement | undefined, size: number): ChunkOutcome {
  return { kind: 'scanned', bytes: size, findings: scanBytes(compiled, text, origin, placement) };
}

const contentOptions = (o: ScanChunkOptions) => ({ maxFileSize: o.maxFileSize, limits: o.archiveLimits });

/** A content scan's result as a chunk outcome: members' problems and skips travel with it. */
function outcomeOf(scan: ContentScan, kind: ContentKind, bytes: number): ChunkOutcome {
  if (kind === 'binary' && scan.problems.length === 0) return { kind: 'binary', bytes };
  return {
    kind: 'scanned',
    bytes,
    findings: scan.findings,
    ...(scan.problems.length ? { problems: scan.problems } : {}),
    ...(scan.skipped.length ? { skipped: scan.skipped } : {}),
  };
}

/** Scans whole content that is not plain text: UTF-16, an archive (opened), a key store, binary. */
export function scanContent(compiled: CompiledRules, bytes: Buffer, origin: ChunkOrigin, placement: ChunkPlacement | undefined, options: ScanChunkOptions): ChunkOutcome {
  const scan = new ContentScan(compiled, origin, contentOptions(options));
  return outcomeOf(scan, scan.scanWhole(bytes, placement), bytes.length);
}

function scanInMemory(compiled: CompiledRules, chunk: BytesChunk, options: ScanChunkOptions): ChunkOutcome {
  const admitted = admitBytes(chunk, options);
  if (Buffer.isBuffer(admitted)) return scanAdmitted(compiled, admitted, chunk.origin, chunk.placement, chunk.bytes.length);
  return admitted.kind === 'open' ? scanContent(compiled, admitted.bytes, chunk.origin, chunk.placement, options) : admitted;
}

const failure = (e: unknown): ChunkOutcome => {
  const err = e as NodeJS.ErrnoException;
  return { kind: 'unreadable', message: err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : err.message };
};

/** Reads and scans one file: whole up to WHOLE_FILE_LIMIT, streamed with overlap beyond. */
function scanFile(compiled: CompiledRules, chunk: FileChunk, options: ScanChunkOptions): ChunkOutcome {
  const { file } = chunk;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then tells it is not a regular file.
    fd = openSync(file.raw ? Buffer.from(file.raw, 'hex') : file.abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'skipped', bytes: 0, reason: 'vanished during the scan' };
    return failure(e);
  }
  try {
    return scanOpenFile(compiled, chunk, fd, options);
  } catch (e) {
    return failure(e);
  } finally {
    closeSync(fd);
  }
}

function scanOpenFile(compiled: CompiledRules, chunk: FileChunk, fd: number, options: ScanChunkOptions): ChunkOutcome {
  const { origin, file } = chunk;
  if (file.regular) {
    // Most files fit the read buffer: read until the end (no fstat); a file that fills the buffer
    // is asked for its size below. Reading until a read returns 0, not stopping at the first short
    // read: a network or FUSE file system may return less before the end.
    const buf = readBuffer(0);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(fd, buf, got, buf.length - got, got);
    if (got < buf.length && (options.maxFileSize === undefined || got <= options.maxFileSize)) return scanWholeFile(compiled, buf.subarray(0, got), chunk, options);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) return { kind: 'skipped', bytes: 0, reason: 'not a regular file' };
  if (options.maxFileSize !== undefined && st.size > options.maxFileSize) return { kind: 'skipped', bytes: st.size, reason: TOO_LARGE };
  const size = st.size;
  if (size <= WHOLE_FILE_LIMIT) {
    const buf = readBuffer(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return scanWholeFile(compiled, buf.subarray(0, got), chunk, options);
  }
  // Large file: read in pieces. Text is streamed with overlap (nothing at a cut is lost), UTF-16
  // transcoded as it comes, a gzip or tar stream opened as it comes, a zip read where needed. The
  // first piece only has to tell which: binary that is none of these costs one small read.
  const buf = readBuffer(READ_CHUNK);
  const first = buf.subarray(0, readSync(fd, buf, 0, FIRST_PIECE, 0));
  const scan = new ContentScan(compiled, origin, contentOptions(options));
  if (archiveKind(first) === 'zip') return outcomeOf(scan, scan.scanZipFile(new FileAccess(fd, size)), size);
  const sink = scan.scanPieces(size);
  sink.push(first);
  for (let pos = first.length; sink.wanted;) {
    const n = readSync(fd, buf, 0, READ_CHUNK, pos);
    if (n === 0) break;
    sink.push(buf.subarray(0, n));
    pos += n;
  }
  sink.end();
  return outcomeOf(scan, sink.kind, size);
}

/** A whole file's bytes: text, the common case, goes straight to the engine. */
function scanWholeFile(compiled: CompiledRules, bytes: Buffer, chunk: FileChunk, options: ScanChunkOptions): ChunkOutcome {
  if (!looksBinary(bytes) && !mayBeDerKey(bytes)) return { kind: 'scanned', bytes: bytes.length, findings: scanBytes(compiled, bytes, chunk.origin, chunk.placement) };
  return scanContent(compiled, bytes, chunk.origin, chunk.placement, options);
}
