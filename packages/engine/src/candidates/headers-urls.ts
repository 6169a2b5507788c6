/**
 * Candidates in HTTP headers and URLs, from the text a rule's pattern captured:
 * - `Authorization: <scheme> <credential>`: any scheme word is skipped (Bearer, token, Api-Token,
 *   ApiKey, SSWS, GenieKey, Splunk, DeepL-Auth-Key, …) to reach the credential; Basic is decoded
 *   to user:password; challenge-response schemes (Digest, NTLM, Negotiate, AWS4, OAuth 1 params)
 *   carry no reusable secret in the header value itself;
 * - URL query values, percent-decoded as many times as they were encoded (a URL nested in a
 *   parameter of another URL: `?next=https%3A%2F%2F…%3Ftoken%3D…`).
 */
import { decodeBase64Text, decodePercent } from '../context/decode.js';

/** Schemes whose header value is not a bearer credential. */
const NOT_BEARER = /^(?:digest|ntlm|negotiate|kerberos|aws4-hmac-sha256|hoba|mutual|vapid|oauth|hmac|signature|pop)$/i;

export interface HeaderCredential {
  /** Offset of the credential inside the captured header value, and its length. */
  offset: number;
  length: number;
  basic: boolean;
}

/**
 * The credential inside an Authorization header value (the text after `Authorization:` up to its
 * closing quote or the line's end), or undefined when there is none.
 */
export function authorizationCredential(value: string): HeaderCredential | undefined {
  const words: [number, number][] = [];
  const re = /[^\s,;]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null && words.length < 4) words.push([m.index, m.index + m[0].length]);
  if (words.length === 0) return undefined;
  const text = (i: number) => value.slice(words[i]![0], words[i]![1]);
  let i = 0;
  // A scheme word: letters, digits and dashes, followed by the credential.
  if (words.length >= 2 && /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(text(0))) {
    if (NOT_BEARER.test(text(0))) return undefined;
    i = 1;
  }
  // More words after the credential: prose or another field, not a header value.
  if (words.length > i + 1 && !/^(?:\\[rn]|HTTP\/|\(|#|\/\/)/.test(text(i + 1))) return undefined;
  const [s, e] = words[i]!;
  return { offset: s, length: e - s, basic: i === 1 && /^basic$/i.test(text(0)) };
}

/** `user:password` from a Basic credential, or undefined when the decoded text is not one. */
export function basicCredentials(value: string): { user: string; password: string } | undefined {
  const text = decodeBase64Text(value);
  if (text === undefined) return undefined;
  // A JWT or JSON (`{"alg":…}`) is not user:password; neither is a line of prose.
  if (text.startsWith('{') || text.startsWith('[') || /[\r\n]/.test(text)) return undefined;
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Percent-decodes until stable (at most three levels: `%253D` → `%3D` → `=`). */
export function decodePercentDeep(value: string): string | undefined {
  let decoded = decodePercent(value);
  if (decoded === undefined) return undefined;
  for (let i = 0; i < 2; i++) {
    const again = decodePercent(decoded);
    if (again === undefined || again === decoded) break;
    decoded = again;
  }
  return decoded;
}

/** A query value of an image URL (`badge.svg?token=…`) is a public read token for the picture. */
export function isImageUrlQuery(textBefore: string): boolean {
  return /\.(?:svg|png|gif|jpe?g|webp)$/i.test(textBefore.replace(/^.*[\s"'(<=]/, ''));
}
