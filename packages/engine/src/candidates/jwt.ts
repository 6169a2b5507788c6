/**
 * JSON Web Tokens: three base64url parts whose header decodes to a JSON object naming an `alg`.
 * A signed token is a bearer credential; an unsigned one (`alg: none`, empty signature) is an
 * example at most.
 */
import { Buffer } from 'node:buffer';

export interface JwtVerdict {
  signed: boolean;
}

function jsonPart(part: string): Record<string, unknown> | undefined {
  if (part.length < 4 || part.length > 8192) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Undefined when `token` is not a JWT (the header is not JSON with `alg`, the payload not JSON). */
export function inspectJwt(token: string): JwtVerdict | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = jsonPart(parts[0]!);
  if (!header || typeof header.alg !== 'string') return undefined;
  if (!jsonPart(parts[1]!)) return undefined;
  const signed = header.alg.toLowerCase() !== 'none' && parts[2]!.length >= 16;
  return { signed };
}

/** Bytes searched around a JWK's `"kty"` for its private member (one key object). */
const JWK_BEFORE = 2048;
const JWK_AFTER = 4096;
const PRIVATE_MEMBER = /["'](?:d|k)["']\s{0,4}:\s{0,4}["']([A-Za-z0-9_-]{16,2048})["']/g;

/**
 * The private member (`"d"` of RSA/EC/OKP, `"k"` of oct) of the JSON Web Key whose `"kty"` is at
 * `[start, end)`: the nearest one inside the same `{…}` object, or undefined for a public key.
 */
export function jwkPrivateMember(buf: Buffer, start: number, end: number): { start: number; end: number; value: string } | undefined {
  const from = Math.max(0, start - JWK_BEFORE);
  const text = buf.toString('latin1', from, Math.min(buf.length, end + JWK_AFTER));
  const at = start - from;
  // The object holding kty: from the last `{` before it to the first `}` after it (members of a
  // JWK are strings and arrays, never nested objects).
  const open = text.lastIndexOf('{', at);
  const close = text.indexOf('}', at);
  if (open < 0 || close < 0) return undefined;
  PRIVATE_MEMBER.lastIndex = open;
  let m: RegExpExecArray | null;
  while ((m = PRIVATE_MEMBER.exec(text)) !== null && m.index < close) {
    const s = from + m.index + m[0].indexOf(m[1]!);
    return { start: s, end: s + m[1]!.length, value: m[1]! };
  }
  return undefined;
}
