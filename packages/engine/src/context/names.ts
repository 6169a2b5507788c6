/**
 * Does an identifier, property or header name say "this holds a secret"? Used by the candidate
 * extractor (candidates/assignment.ts) and the JS/TS syntax-tree check.
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

/** What a secret-named key holds; `password` values are judged differently from tokens. */
export type KeyKind = 'password' | 'secret' | 'token' | 'key' | 'credential' | 'auth';

/** Tokens that are not credentials: pagination cursors, CSRF/cancel tokens, lexer tokens, push ids. */
const NOT_CREDENTIAL_TOKEN = new Set(['next', 'page', 'paging', 'pagination', 'continuation', 'cancel', 'cancellation', 'csrf', 'xsrf', 'sync', 'resume', 'device', 'push', 'fcm', 'apns', 'registration', 'lexer', 'start', 'end', 'last', 'first', 'current', 'prev', 'previous', 'type', 'max', 'min', 'num', 'count', 'total', 'limit', 'invite', 'cursor', 'idempotency', 'trace', 'span', 'color', 'design', 'word', 'parse', 'parser', 'syntax', 'split', 'stop', 'special', 'unk', 'pad', 'bos', 'eos', 'sep', 'mask', 'cls']);
/** `key` alone is too common (cacheKey, primaryKey): only these qualifiers make it a secret. */
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'auth', 'client', 'signing', 'sign', 'encryption', 'encrypt', 'decryption', 'master', 'license', 'licence', 'subscription', 'consumer', 'app', 'application', 'account', 'storage', 'shared', 'hmac', 'jwt', 'session', 'cookie', 'service', 'server', 'developer', 'dev', 'admin', 'root', 'crypt', 'crypto', 'cipher', 'aes', 'rsa', 'ssh', 'gpg', 'pgp', 'repo', 'certificate', 'cert', 'tls', 'ssl', 'webhook', 'integration', 'partner', 'merchant', 'write', 'read', 'deploy', 'ingest', 'ingestion', 'management', 'mgmt', 'user', 'bot', 'agent', 'login', 'rest', 'token', 'pass', 'password', 'secure', 'security', 'salt']);
/** Words ending a compound like `apikey`, `repokey`, `pgpassword`, `clientsecret`. */
const COMPOUND = /^(?:[a-z0-9]*(?:password|passwd|passphrase|secret|token)|[a-z0-9]*(?:api|secret|private|access|auth|client|app|consumer|master|signing|encryption|repo|license|session|account|storage|crypt)key|[a-z0-9]*pwd|[a-z0-9]*pass)$/;
const NOT_PASS = /(?:by|com|sur|over|under|tres|im|multi|single|first|second|two|one|double|no|skip|bypass|high|low|band|all)pass$/;
const NOT_SECRET_WORD = new Set(['public', 'hash', 'hashed', 'md5', 'sha1', 'sha256', 'sha512', 'digest', 'checksum', 'fingerprint', 'nopasswd', 'nopass', 'jsonwebtoken']);
/** Trailing words that keep the meaning of the secret word before them (`password_confirmation`). */
const NEUTRAL_SUFFIX = new Set(['data', 'confirmation', 'confirm', 'value', 'val', 'str', 'string', 'text', 'plain', 'plaintext', 'raw', 'hex', 'b64', 'base64', 'bytes', 'default', 'dflt', 'again', 'repeat', 'retype', 'verify', 'verification', 'old', 'new', 'current', 'orig', 'original', 'enc', 'encoded', 'literal', 'env', 'var', 'override', 'here']);

function wordKind(word: string, prev: string | undefined): KeyKind | undefined {
  // PASSWORD2, token1: a numbered variant means the same.
  const w = word.replace(/\d+$/, '');
  switch (w) {
    case 'password':
    case 'passwd':
    case 'passphrase':
    case 'passwort':
    case 'pswd':
    case 'passcode':
      return 'password';
    case 'pass':
    case 'pwd':
    case 'pw':
      return prev === undefined || !/^(?:by|com|sur|first|second|no|skip|multi|single|two|one|high|low|band)$/.test(prev) ? 'password' : undefined;
    case 'secret':
    case 'secrets':
      return 'secret';
    case 'token':
    case 'tokens':
      return prev === undefined || !NOT_CREDENTIAL_TOKEN.has(prev) ? 'token' : undefined;
    case 'apikey':
    case 'secretkey':
    case 'privatekey':
    case 'accesskey':
    case 'authkey':
    case 'appkey':
    case 'clientkey':
    case 'masterkey':
    case 'signingkey':
    case 'encryptionkey':
      return 'key';
    case 'key':
    case 'keys':
      return prev !== undefined && KEY_QUALIFIERS.has(prev) ? 'key' : undefined;
    case 'credential':
    case 'credentials':
    case 'creds':
    case 'cred':
      return 'credential';
    case 'auth':
      return 'auth';
    default:
      if (w.length > 4 && COMPOUND.test(w) && !NOT_PASS.test(w) && !/(?:public|cache|primary|foreign|sort|hot|mon|tur|don|whis|jock|hoc)key$/.test(w)) {
        if (/pass(?:word|wd|phrase)?$|pwd$/.test(w)) return 'password';
        if (/secret$/.test(w)) return 'secret';
        if (/token$/.test(w)) return 'token';
        return 'key';
      }
      return undefined;
  }
}

/**
 * What a secret-named key holds, or undefined when the name does not mean "secret": the last word
 * decides (`db_password`, `apiKey`, `CLIENT_SECRET`, `PGPASSWORD`), after neutral suffixes
 * (`password_confirmation`, `token_value`); `password_length`, `token_type`, `nextToken`,
 * `cacheKey` and `publicKey` are not secrets.
 */
export function secretKeyKind(name: string): KeyKind | undefined {
  let kind = KIND_CACHE.get(name);
  if (kind === undefined) {
    kind = classify(name) ?? null;
    // Names repeat (every `password:` of a file): a bounded memo keeps the word split off the hot path.
    if (KIND_CACHE.size >= 4096) KIND_CACHE.clear();
    KIND_CACHE.set(name, kind);
  }
  return kind ?? undefined;
}

const KIND_CACHE = new Map<string, KeyKind | null>();

function classify(name: string): KeyKind | undefined {
  const words = splitWords(name);
  // publicKey, publicKeyToken, public_token: published on purpose; hashed and digest values are
  // not the secret; NOPASSWD is a sudoers tag.
  if (words.some((w) => NOT_SECRET_WORD.has(w))) return undefined;
  let i = words.length - 1;
  // At most two neutral suffixes, and never the whole name.
  for (let n = 0; n < 2 && i > 0 && (NEUTRAL_SUFFIX.has(words[i]!) || /^\d+$/.test(words[i]!)); n++) i--;
  const last = words[i];
  if (last === undefined) return undefined;
  return wordKind(last, words[i - 1]);
}

export function nameMeansSecret(name: string): boolean {
  const kind = secretKeyKind(name);
  return kind !== undefined && kind !== 'auth';
}

/** Header names whose value is a credential: Authorization and the `*-token`/`*-api-key`/`*-secret*` family. */
export function headerMeansSecret(name: string): boolean {
  const n = name.toLowerCase();
  if (n === 'authorization' || n === 'proxy-authorization') return true;
  if (n.includes('csrf') || n.includes('xsrf')) return false;
  return /(?:^|-)(?:api-?key|apikey|[a-z]*-?token|access-?key|auth-?key|subscription-key|private-token)$/.test(n) || /(?:^|-)secret(?:-|$)/.test(n);
}
