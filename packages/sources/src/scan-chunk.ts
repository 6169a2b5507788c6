import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { StreamScanner, scanBytes, type ChunkPlacement, type CompiledRules, type Finding } from '@tokenward/engine';
import type { BytesChunk, Chunk, ChunkOrigin, ChunkOutcome, FileChunk } from './chunk.js';

/**
 * How a chunk is read and scanned, wherever it is (this thread or a worker): text, UTF-16 or
 * binary is decided here, by content, for every source alike.
 */

/** Files up to this size are read whole; larger ones are streamed in chunks with overlap. */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;
const READ_CHUNK = 8 * 1024 * 1024;
const SNIFF = 8000;

/** NUL in the first 8000 bytes means binary (git's and ripgrep's heuristic). */
export function looksBinary(bytes: Uint8Array): boolean {
  // indexOf is native (memchr): several times faster than a loop over the bytes here.
  return bytes.subarray(0, SNIFF).indexOf(0) !== -1;
}

/**
 * One read buffer per thread, reused from file to file: allocating a fresh Buffer per file made
 * the garbage collector as busy as the scan itself. Safe because a file is scanned synchronously
 * and findings keep strings, never views of the bytes.
 */
let sharedReadBuffer: Buffer | undefined;
function readBuffer(size: number): Buffer {
  if (!sharedReadBuffer || sharedReadBuffer.length < size) {
    let cap = 1 << 20;
    while (cap < size) cap *= 2;
    sharedReadBuffer = Buffer.allocUnsafeSlow(cap);
  }
  return sharedReadBuffer;
}

/** UTF-16 text (Windows tools write it) holds NULs but is text: transcode it to UTF-8. */
function fromUtf16(bytes: Buffer): Buffer | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(new TextDecoder('utf-16le').decode(bytes.subarray(2)), 'utf8');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(new TextDecoder('utf-16be').decode(bytes.subarray(2)), 'utf8');
  // Without a BOM (PowerShell `Out-File -Encoding Unicode` piped elsewhere, some exports):
  // mostly-ASCII UTF-16 has a NUL in nearly every odd (LE) or even (BE) byte of its start.
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero >= pairs * 0.9 && evenZero <= pairs * 0.1) return Buffer.from(new TextDecoder('utf-16le').decode(bytes.subarray(0, bytes.length & ~1)), 'utf8');
  if (evenZero >= pairs * 0.9 && oddZero <= pairs * 0.1) return Buffer.from(new TextDecoder('utf-16be').decode(bytes.subarray(0, bytes.length & ~1)), 'utf8');
  return undefined;
}

/**
 * The bytes to scan: as they are for text, transcoded to UTF-8 for UTF-16, undefined for binary.
 * Every source (files, staged, history) decides with this one function so they cannot disagree.
 */
export function textBytes(bytes: Buffer): Buffer | undefined {
  if (!looksBinary(bytes)) return bytes;
  return fromUtf16(bytes);
}

export interface ScanChunkOptions {
  /** Files and blobs larger than this are skipped (and counted). Default: no limit. */
  maxFileSize?: number;
}

const TOO_LARGE = 'larger than --max-file-size';

/** Scans one chunk. Never throws for I/O problems: they become an outcome. */
export function scanChunk(compiled: CompiledRules, chunk: Chunk, options: ScanChunkOptions = {}): ChunkOutcome {
  return 'file' in chunk ? scanFile(compiled, chunk, options) : scanInMemory(compiled, chunk, options);
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/**
 * What an in-memory chunk needs before any scanning: an outcome when it is too large or binary
 * (cheap: a look at its start), else the text to scan (UTF-16 transcoded). The pool calls it
 * before queuing, so binary blobs never travel to a worker.
 */
export function admitBytes(chunk: BytesChunk, options: ScanChunkOptions): ChunkOutcome | Buffer {
  const raw = asBuffer(chunk.bytes);
  if (chunk.text) return raw;
  if (options.maxFileSize !== undefined && raw.length > options.maxFileSize) return { kind: 'skipped', bytes: raw.length, reason: TOO_LARGE };
  return textBytes(raw) ?? { kind: 'binary', bytes: raw.length };
}

/** Scans admitted text; `size` is what counts report (the stored size, before transcoding). */
export function scanAdmitted(compiled: CompiledRules, text: Buffer, origin: ChunkOrigin, placement: ChunkPlacement | undefined, size: number): ChunkOutcome {
  return { kind: 'scanned', bytes: size, findings: scanBytes(compiled, text, origin, placement) };
}

function scanInMemory(compiled: CompiledRules, chunk: BytesChunk, options: ScanChunkOptions): ChunkOutcome {
  const admitted = admitBytes(chunk, options);
  return Buffer.isBuffer(admitted) ? scanAdmitted(compiled, admitted, chunk.origin, chunk.placement, chunk.bytes.length) : admitted;
}

/** Reads and scans one file: whole up to WHOLE_FILE_LIMIT, streamed with overlap beyond. */
function scanFile(compiled: CompiledRules, chunk: FileChunk, options: ScanChunkOptions): ChunkOutcome {
  const { origin, file } = chunk;
  let fd: number;
  let size: number;
  try {
    // Open first and ask the descriptor (one path lookup, not two). O_NONBLOCK: opening a FIFO
    // must not wait for a writer; fstat then tells it is not a regular file.
    fd = openSync(file.raw ? Buffer.from(file.raw, 'hex') : file.abs, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    const skip = !st.isFile() ? 'not a regular file' : options.maxFileSize !== undefined && st.size > options.maxFileSize ? TOO_LARGE : undefined;
    if (skip) {
      closeSync(fd);
      return { kind: 'skipped', bytes: st.isFile() ? st.size : 0, reason: skip };
    }
    size = st.size;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return { kind: 'skipped', bytes: 0, reason: 'vanished during the scan' };
    return { kind: 'unreadable', message: err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : err.message };
  }
  try {
    if (size <= WHOLE_FILE_LIMIT) {
      const buf = readBuffer(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      let bytes: Buffer = buf.subarray(0, got);
      if (looksBinary(bytes)) {
        const text = fromUtf16(bytes);
        if (!text) return { kind: 'binary', bytes: got };
        bytes = text;
      }
      return { kind: 'scanned', bytes: got, findings: scanBytes(compiled, bytes, origin, chunk.placement) };
    }
    // Large file: stream it in chunks; the scanner keeps an overlap so nothing at a cut is lost.
    const findings: Finding[] = [];
    const stream = new StreamScanner(compiled, origin, (f) => findings.push(...f), { chunkSize: READ_CHUNK });
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, READ_CHUNK, pos);
      if (n === 0) break;
      if (pos === 0 && looksBinary(buf.subarray(0, n))) return { kind: 'binary', bytes: size };
      stream.push(buf.subarray(0, n));
      pos += n;
    }
    stream.end();
    return { kind: 'scanned', bytes: pos, findings };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { kind: 'unreadable', message: err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : err.message };
  } finally {
    closeSync(fd);
  }
}
