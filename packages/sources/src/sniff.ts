import { Buffer } from 'node:buffer';

/**
 * What content is, from its first bytes: text, UTF-16 text, an archive, or other binary. Every
 * source decides with these functions, on bytes it has already read, so none of them costs a read.
 */

/** Bytes looked at: NUL in the first 8000 means binary (git's and ripgrep's heuristic). */
export const SNIFF = 8000;

export function looksBinary(bytes: Uint8Array): boolean {
  // indexOf is native (memchr): several times faster than a loop over the bytes here.
  return bytes.subarray(0, SNIFF).indexOf(0) !== -1;
}

export type Utf16 = 'utf-16le' | 'utf-16be';

/** UTF-16 (Windows tools write it) holds NULs but is text: by its BOM or, without one (PowerShell
 * `Out-File -Encoding Unicode` piped elsewhere, some exports), because mostly-ASCII UTF-16 has a
 * NUL in nearly every odd (LE) or even (BE) byte of its start. */
export function utf16Of(bytes: Uint8Array): Utf16 | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero >= pairs * 0.9 && evenZero <= pairs * 0.1) return 'utf-16le';
  if (evenZero >= pairs * 0.9 && oddZero <= pairs * 0.1) return 'utf-16be';
  return undefined;
}

/** Whole UTF-16 content as UTF-8 (a BOM is dropped by the decoder). */
export const fromUtf16 = (bytes: Uint8Array, encoding: Utf16): Buffer => Buffer.from(new TextDecoder(encoding).decode(bytes.subarray(0, bytes.length & ~1)), 'utf8');

export type ArchiveKind = 'zip' | 'gzip' | 'tar';

/** A tar header's checksum: the sum of its bytes, the checksum field counted as spaces. */
export function tarChecksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const field = Buffer.from(h.buffer, h.byteOffset + 148, 8).toString('latin1').replace(/[\0 ]+$/, '').trim();
  return /^[0-7]+$/.test(field) && parseInt(field, 8) === sum;
}

/** zip (and jar, war, ear: a local file header or an empty archive's end record), gzip (deflate),
 * or a POSIX/GNU tar (`ustar` at 257 and a valid header checksum). */
export function archiveKind(head: Uint8Array): ArchiveKind | undefined {
  if (head.length < 4) return undefined;
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (head.length >= 512 && head[257] === 0x75 && head[258] === 0x73 && head[259] === 0x74 && head[260] === 0x61 && head[261] === 0x72 && tarChecksumOk(head)) return 'tar';
  return undefined;
}

/** UTF-16 arriving in pieces, as UTF-8 pieces: a character split between two pieces is kept whole. */
export function utf16Pieces(encoding: Utf16): { push(piece: Uint8Array): Buffer; end(): Buffer } {
  const decoder = new TextDecoder(encoding);
  return {
    push: (piece) => Buffer.from(decoder.decode(piece, { stream: true }), 'utf8'),
    end: () => Buffer.from(decoder.decode(), 'utf8'),
  };
}
