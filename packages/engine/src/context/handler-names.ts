/**
 * The context handlers a rule may name in its `context` field (rules/generic-*.yaml). A rule file
 * naming anything else is rejected when it is parsed or compiled: a typo cannot silently turn a
 * detector off. The handlers themselves are in context/index.ts.
 */
export const CONTEXT_HANDLER_NAMES = [
  /** Key/value candidates around a secret word (candidates/assignment.ts), scored. */
  'assignment',
  /** Authorization header: scheme words skipped, Basic decoded, the credential scored. */
  'auth-header',
  /** `Authorization: Basic …`: decoded to user:password, the password judged. */
  'basic-auth',
  /** A header whose name means secret (X-API-Key, PRIVATE-TOKEN, …). */
  'secret-header',
  /** scheme://user:password@host */
  'url-userinfo',
  /** ?token=…, &password=… (percent-decoded, nested encodings too). */
  'url-query',
  /** A password in a SQL statement or on a command line (quotes stripped), scored. */
  'command-password',
  /** A PEM private key (also base64-encoded once more): encrypted keys are low confidence. */
  'private-key',
  /** A JSON Web Key with a private member (d, k): the member's value is the secret. */
  'jwk',
  /** Values of a Kubernetes Secret manifest (base64 decoded). */
  'kubernetes-secret',
  /** JSON Web Token: header decoded (JSON with alg), payload JSON; unsigned ones are low. */
  'jwt',
  /** JS/TS identifier used as a credential, followed to its literal on the syntax tree. */
  'js-reference',
] as const;

export type ContextHandlerName = (typeof CONTEXT_HANDLER_NAMES)[number];
