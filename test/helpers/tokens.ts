import { randomBytes } from 'node:crypto';
import { base62, crc32 } from '@tokenward/engine';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random base62 text (tests make fresh tokens instead of committing real-looking ones). */
export function randomBase62(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[bytes[i]! % 62];
  return s;
}

/** A GitHub-format token with a valid CRC32/base62 checksum, e.g. ghp_… (40 characters). */
export function githubToken(prefix = 'ghp_', bodyLength = 30): string {
  const body = randomBase62(bodyLength);
  return `${prefix}${body}${base62(crc32(body), 6)}`;
}

/** Same shape, wrong checksum: must never be reported. */
export function githubLookalike(prefix = 'ghp_'): string {
  const good = githubToken(prefix);
  const last = good.at(-1)!;
  return good.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}
