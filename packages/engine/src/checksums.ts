/** Offline checksums embedded in token formats. A token whose checksum does not match is not a
 * real token of that family, so these remove random look-alikes (near-zero false positives). */

/** CRC-32 table (IEEE 802.3 / zlib). Tokens are a few dozen bytes: a table loop costs well under a
 * microsecond, and not importing node:zlib spares every start-up loading it. */
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
  /** Grafana glsa_: crc32 of everything before the checksum (minus its `_` separator, so
   * `glsa_` + 32 random characters) as 4 little-endian bytes in lowercase hex. */
  'crc32-le-hex': (secret) => {
    if (secret.length <= 8) return false;
    const body = secret.slice(0, -8);
    const c = crc32(body.endsWith('_') ? body.slice(0, -1) : body);
    const le = [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    return le === secret.slice(-8);
  },
  /** Azure DevOps legacy 52-character PAT (lowercase base32): a CRC32 of 28 of its 32 bytes,
   * XORed with a per-kind seed, is stored in 4 bytes spread through the token. */
  'azure-devops-legacy': azureDevOpsLegacy,
};

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Base32 (alphabet a-z2-7) decoding exactly as Azure DevOps does it for legacy PATs. It differs
 * from RFC 4648: when a character's low bits complete a byte, its already-used high bits are
 * OR-ed in again. The checksum was computed over these bytes, so a standard decoder fails.
 */
export function azureDevOpsBase32Decode(text: string): Uint8Array | undefined {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let inPos = 0;
  let inOffset = 0;
  for (let o = 0; o < out.length; o++) {
    let outOffset = 0;
    let value = 0;
    while (outOffset < 8) {
      const digit = BASE32.indexOf(text[inPos]!.toLowerCase());
      if (digit < 0) return undefined;
      const take = Math.min(5 - inOffset, 8 - outOffset);
      inOffset += take;
      outOffset += take;
      value = ((value << take) | (digit >> (5 - inOffset))) & 0xff;
      if (inOffset >= 5) {
        inPos++;
        inOffset = 0;
      }
    }
    out[o] = value;
  }
  return out;
}

/** Seeds of the two legacy Azure DevOps PAT kinds (user PATs and application PATs). */
const AZURE_DEVOPS_SEEDS = [0xe0b9692d, 0x1019f92e];

/** Bytes of a decoded legacy PAT that hold its checksum, least significant first. */
export const AZURE_DEVOPS_CHECKSUM_BYTES = [22, 8, 7, 2] as const;

/** The 28 bytes the legacy checksum covers: all but the 4 checksum bytes. */
export function azureDevOpsLegacyData(bytes: Uint8Array): Uint8Array {
  const data = new Uint8Array(28);
  data.set(bytes.subarray(0, 2), 0);
  data.set(bytes.subarray(3, 7), 2);
  data.set(bytes.subarray(9, 22), 6);
  data.set(bytes.subarray(23, 32), 19);
  return data;
}

function azureDevOpsLegacy(secret: string): boolean {
  if (secret.length !== 52) return false;
  const bytes = azureDevOpsBase32Decode(secret);
  if (!bytes || bytes.length !== 32) return false;
  const [b0, b1, b2, b3] = AZURE_DEVOPS_CHECKSUM_BYTES.map((i) => bytes[i]!);
  const embedded = (b0! | (b1! << 8) | (b2! << 16) | (b3! << 24)) >>> 0;
  const crc = crc32(azureDevOpsLegacyData(bytes));
  return AZURE_DEVOPS_SEEDS.some((seed) => ((crc ^ seed) >>> 0) === embedded);
}

/** Register an additional checksum (for rule authors embedding Tokenward as a library). */
export function registerChecksum(name: string, fn: ChecksumFn): void {
  CHECKSUMS[name] = fn;
}
