/**
 * Does an identifier, property or header name say "this holds a secret"? Used by the JS/TS AST
 * check (the lexical rules encode the same idea in their regexes, see rules/generic-*.yaml).
 */

/** Splits `apiKey`, `API_KEY`, `x-api-key`, `db.password`, `HTTPToken` into lower-case words. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

const SECRET_LAST = new Set(['token', 'secret', 'password', 'passwd', 'passphrase', 'apikey', 'pat', 'credential', 'credentials', 'authorization', 'secretkey', 'accesskey', 'privatekey', 'authtoken', 'accesstoken']);
/** `key` alone is too common (cacheKey, primaryKey): only these qualifiers make it a secret. */
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'auth', 'client', 'signing', 'encryption', 'master', 'license', 'subscription']);
/** Tokens that are not credentials: pagination cursors, CSRF/cancel tokens, lexer tokens, push ids. */
const NOT_CREDENTIAL_TOKEN = new Set(['next', 'page', 'continuation', 'cancel', 'cancellation', 'csrf', 'xsrf', 'sync', 'resume', 'device', 'push', 'fcm', 'registration', 'lexer', 'start', 'end', 'last', 'first', 'current', 'prev', 'previous', 'type', 'max', 'min']);

export function nameMeansSecret(name: string): boolean {
  const words = splitWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  const prev = words[words.length - 2];
  if (last === 'token') return prev === undefined || !NOT_CREDENTIAL_TOKEN.has(prev);
  if (last === 'key') return prev !== undefined && KEY_QUALIFIERS.has(prev);
  if (last === 'pwd') return prev !== undefined;
  return SECRET_LAST.has(last);
}

/** Header names whose value is a credential: Authorization and the `*-token`/`*-api-key`/`*-secret*` family. */
export function headerMeansSecret(name: string): boolean {
  const n = name.toLowerCase();
  if (n === 'authorization' || n === 'proxy-authorization') return true;
  if (n.includes('csrf') || n.includes('xsrf')) return false;
  return /(?:^|-)(?:api-?key|apikey|[a-z]*-?token|access-?key|auth-?key|subscription-key|private-token)$/.test(n) || /(?:^|-)secret(?:-|$)/.test(n);
}
