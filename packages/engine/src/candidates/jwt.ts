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
