#!/usr/bin/env node
// Prints synthetic, checksum-valid example tokens for rule files (`node scripts/example-tokens.mjs
// [seed]`). Examples must never be real secrets: these are generated from a seeded PRNG and carry
// visible "EXAMPLE"/"TOKENWARD" fragments where the token format allows letters.
// Uses the engine's own checksum code so the examples and the validator cannot drift apart.
import { base62, crc32, CHECKSUMS } from '../packages/engine/dist/index.js';

const fillFiles = process.argv[2] === '--fill' ? process.argv.slice(3) : undefined;
const seed = fillFiles ? 1 : Number(process.argv[2] ?? 1);
let state = seed >>> 0 || 1;
const rand = () => {
  // xorshift32: deterministic, so regenerating gives the same examples.
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 0x100000000;
};
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const pick = (alphabet, n) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
/** `n` characters of `alphabet` with `marker` embedded at a random position. */
const body = (alphabet, n, marker = '') => {
  const fill = pick(alphabet, n - marker.length);
  const at = Math.floor(rand() * (fill.length + 1));
  return fill.slice(0, at) + marker + fill.slice(at);
};

const crcBase62 = (prefix, random) => `${prefix}${random}${base62(crc32(random), 6)}`;
const crcBase36 = (before) => `${before}${crc32(before).toString(36).padStart(7, '0')}`;
const crcHexUpper = (before) => `${before}${crc32(before).toString(16).toUpperCase().padStart(8, '0')}`;
const crcLeHex = (before) => {
  const c = crc32(before);
  const le = [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${before}_${le}`;
};

/** Legacy Azure DevOps PAT: finds characters whose (quirky) base32 decoding carries the checksum. */
function azureDevOpsLegacy() {
  const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
  for (let attempt = 0; attempt < 1000; attempt++) {
    const bytes = Array.from({ length: 32 }, () => Math.floor(rand() * 256));
    const data = [...bytes.slice(0, 2), ...bytes.slice(3, 7), ...bytes.slice(9, 22), ...bytes.slice(23, 32)];
    const sum = (crc32(Uint8Array.from(data)) ^ 0xe0b9692d) >>> 0;
    [bytes[22], bytes[8], bytes[7], bytes[2]] = [sum & 0xff, (sum >>> 8) & 0xff, (sum >>> 16) & 0xff, sum >>> 24];
    const chars = [];
    // Depth-first over characters; a byte is checked as soon as the characters covering it exist.
    const search = (i) => {
      if (i === 52) return true;
      for (let d = 0; d < 32; d++) {
        chars[i] = B32[d];
        const candidate = chars.slice(0, i + 1).join('') + 'a'.repeat(51 - i);
        const complete = Math.floor(((i + 1) * 5) / 8); // bytes fully determined by chars 0..i
        const dec = quirkyDecode(candidate);
        let ok = true;
        for (let b = Math.floor((i * 5) / 8) - 1; b < complete; b++) if (b >= 0 && dec[b] !== bytes[b]) ok = false;
        if (ok && search(i + 1)) return true;
      }
      return false;
    };
    const quirkyDecode = (text) => {
      const out = [];
      let pos = 0, off = 0;
      for (let o = 0; o < 32; o++) {
        let got = 0, v = 0;
        while (got < 8) {
          const digit = B32.indexOf(text[pos]);
          const take = Math.min(5 - off, 8 - got);
          off += take; got += take;
          v = ((v << take) | (digit >> (5 - off))) & 0xff;
          if (off >= 5) { pos++; off = 0; }
        }
        out.push(v);
      }
      return out;
    };
    if (search(0)) {
      const token = chars.join('');
      if (CHECKSUMS['azure-devops-legacy'](token)) return token;
    }
  }
  throw new Error('no legacy Azure DevOps example found');
}

/*
 * `--fill FILE...`: replaces example placeholders in rule files in place, so new rules get random,
 * clearly synthetic values instead of hand-typed (or copied) real-looking ones:
 *   <<KIND:N>>        N random characters of KIND (an EXAMPLE marker is embedded where KIND has
 *                     the letters and N ≥ 16)
 *   <<name=KIND:N>>   the same, remembered as `name` within the file; <<@name>> repeats it
 * KIND: hex, HEX, b62 (A-Za-z0-9), b64 (+ /), b64u (+ - _), lower (a-z0-9), upper (A-Z0-9),
 * alpha (A-Za-z), digits, bech32 (upper-case), uuid. Seeded by the file name: refilling a file gives the same values.
 */
const KINDS = {
  hex: ['0123456789abcdef', ''],
  HEX: ['0123456789ABCDEF', ''],
  b62: [ALNUM, 'EXAMPLE'],
  b64: [`${ALNUM}+/`, 'EXAMPLE'],
  b64u: [`${ALNUM}-_`, 'EXAMPLE'],
  lower: ['0123456789abcdefghijklmnopqrstuvwxyz', 'example'],
  upper: ['0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'EXAMPLE'],
  alpha: ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 'EXAMPLE'],
  digits: ['0123456789', ''],
  bech32: ['QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 'EXAMPLE'],
};
function fill(text) {
  const named = new Map();
  return text.replace(/<<(?:(@)([a-z0-9_]+)|(?:([a-z0-9_]+)=)?([A-Za-z0-9]+)(?::(\d+))?)>>/g, (all, at, ref, name, kind, n) => {
    if (at) {
      if (!named.has(ref)) throw new Error(`${all}: no value named ${ref} before it`);
      return named.get(ref);
    }
    let value;
    if (kind === 'uuid') {
      const h = pick(KINDS.hex[0], 32);
      value = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(rand() * 4)]}${h.slice(17, 20)}-${h.slice(20)}`;
    } else {
      const spec = KINDS[kind];
      if (!spec || !n) throw new Error(`${all}: unknown kind or missing length`);
      const len = Number(n);
      value = body(spec[0], len, len >= 16 ? spec[1] : '');
    }
    if (name) named.set(name, value);
    return value;
  });
}
if (fillFiles) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { basename } = await import('node:path');
  for (const file of fillFiles) {
    state = [...basename(file)].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7) || 1;
    const before = readFileSync(file, 'utf8');
    const after = fill(before);
    if (after !== before) writeFileSync(file, after);
  }
  process.exit(0);
}

const out = {
  'ghp_': crcBase62('ghp_', body(ALNUM, 30, 'EXAMPLE')),
  'gho_': crcBase62('gho_', body(ALNUM, 30, 'EXAMPLE')),
  'ghu_': crcBase62('ghu_', body(ALNUM, 30, 'EXAMPLE')),
  'ghr_': crcBase62('ghr_', body(ALNUM, 70, 'EXAMPLE')),
  'npm_': crcBase62('npm_', body(ALNUM, 30, 'EXAMPLE')),
  'vcp_': crcBase62('vcp_', body(`${ALNUM}_-`, 50, 'EXAMPLE')),
  'vci_': crcBase62('vci_', body(`${ALNUM}_-`, 50, 'EXAMPLE')),
  'glpat routable': (() => {
    const payload = body(`${ALNUM}_-`, 30, 'EXAMPLE');
    return crcBase36(`glpat-${payload}.01.${payload.length.toString(36).padStart(2, '0')}`);
  })(),
  'ATATT3': crcHexUpper(`ATATT3${body(`${ALNUM}_-`, 177, 'EXAMPLE')}=`),
  'glsa_': crcLeHex(`glsa_${body(ALNUM, 32, 'EXAMPLE')}`),
  'azure-devops-legacy': azureDevOpsLegacy(),
};
for (const [k, v] of Object.entries(out)) console.log(`${k}\t${v}`);
