/** Offline checksums embedded in token formats. A token whose checksum does not match is not a
 * real token of that family, so these remove random look-alikes (near-zero false positives). */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3 / zlib) of the string's UTF-8 bytes (tokens are ASCII). */
export function crc32(input: string | Uint8Array): number {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 (alphabet 0-9A-Za-z) of an unsigned integer, left-padded with '0' to `width`. */
export function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  do {
    out = BASE62[n % 62]! + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

export type ChecksumFn = (secret: string) => boolean;

/** Named checksums a rule can ask for in `validators.checksum`. */
export const CHECKSUMS: Record<string, ChecksumFn> = {
  /** GitHub ghp_/gho_/ghu_/ghr_, npm_, Vercel: base62(crc32(body)) as the last 6 characters,
   * where body is everything after the first `_` and before the checksum. */
  'crc32-base62': (secret) => {
    const start = secret.indexOf('_') + 1;
    if (start <= 0 || secret.length - start <= 6) return false;
    return base62(crc32(secret.slice(start, -6)), 6) === secret.slice(-6);
  },
  /** GitLab routable tokens: lowercase base36(crc32(everything before)) as the last 7. */
  'crc32-base36': (secret) => {
    if (secret.length <= 7) return false;
    return crc32(secret.slice(0, -7)).toString(36).padStart(7, '0') === secret.slice(-7);
  },
  /** Atlassian ATATT3…: '%08X' of crc32(everything before) as the last 8. */
  'crc32-hex-upper': (secret) => {
    if (secret.length <= 8) return false;
    return crc32(secret.slice(0, -8)).toString(16).toUpperCase().padStart(8, '0') === secret.slice(-8);
  },
  /** Grafana glsa_: crc32(everything before) as 4 little-endian bytes in lowercase hex. */
  'crc32-le-hex': (secret) => {
    if (secret.length <= 8) return false;
    const c = crc32(secret.slice(0, -8));
    const le = [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    return le === secret.slice(-8);
  },
};

/** Register an additional checksum (for rule authors embedding Tokenward as a library). */
export function registerChecksum(name: string, fn: ChecksumFn): void {
  CHECKSUMS[name] = fn;
}
