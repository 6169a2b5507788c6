import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '@tokenward/engine';

describe('crc32 (zlib.crc32 where Node has it)', () => {
  it('gives the standard check value and agrees with zlib on strings and bytes', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    for (const s of ['ghp_abc', 'glpat-xyz', 'héllo wörld']) {
      expect(crc32(s)).toBe(zlibCrc32(s));
      expect(crc32(Buffer.from(s))).toBe(zlibCrc32(Buffer.from(s)));
    }
  });
});
