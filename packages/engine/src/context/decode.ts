/**
 * Decoders for values that hide a secret behind an encoding: base64 (Kubernetes Secret `data:`,
 * HTTP Basic auth), percent-encoding (URLs, form bodies) and JSON/JS string escapes. Each returns
 * undefined when the input is not validly encoded, so a failed decode never invents a secret.
 */
import { Buffer } from 'node:buffer';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Strict base64 (standard alphabet, optional padding) to printable UTF-8 text. */
export function decodeBase64Text(value: string): string | undefined {
  if (value.length < 4 || !BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  // Binary content (keys, certificates in DER) is not text we can check: skip it.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return undefined;
  }
  return text;
}

/** `user:password` from a Basic credential. */
export function decodeBasicAuth(value: string): { user: string; password: string } | undefined {
  const text = decodeBase64Text(value);
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  if (colon < 0 || /[\r\n]/.test(text)) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Percent-decoding (`+` stays `+`: in a token it is data, not a space). */
export function decodePercent(value: string): string | undefined {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** JSON / JavaScript string escapes: `\uXXXX`, `\xXX`, `\/`, `\\`, `\n`, … */
export function decodeEscapes(value: string): string | undefined {
  if (!value.includes('\\')) return undefined;
  let bad = false;
  const out = value.replace(/\\(u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|.)/g, (_, e: string) => {
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e[1] === '{' ? e.slice(2, -1) : e.slice(1), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };
    if (e in simple) return simple[e]!;
    if (e === 'u' || e === 'x') bad = true;
    return e;
  });
  return bad ? undefined : out;
}
