import type { ContextHandlerName } from './context/handler-names.js';
import type { KeyStoreDetector } from './key-stores.js';

/** Shapes shared by every Tokenward package. Rule *definitions* are data (from `rules/`); compiled
 * rules and findings are what the engine produces from them. */

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** checksum-verified > provider format > context-only (generic). */
export type Confidence = 'high' | 'medium' | 'low';

export const CONFIDENCE_ORDER: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };
export const SEVERITY_ORDER: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface RuleExample {
  /** Text the rule must find (positive) or must not find (negative). */
  text: string;
  /** For positives: the exact secret expected. Defaults to `text` itself. */
  secret?: string;
  /** `base64`: `text` is binary content, base64-encoded (examples of `detector` rules, written
   * `{ base64: … }` in rule files). */
  encoding?: 'base64';
}

export interface RuleValidators {
  /** Secret length bounds, inclusive. */
  length?: { min?: number; max?: number };
  /** Regex character-class body every secret character must match, e.g. `A-Za-z0-9_`. */
  charset?: string;
  /** Name of an offline checksum (see `CHECKSUMS`). */
  checksum?: string;
  /** Minimum Shannon entropy in bits per character. */
  entropy?: number;
}

/** How a person rotates or revokes the token by hand. */
export interface RuleRotate {
  /** UI path or short steps, e.g. "Settings > Developer settings > Tokens > Delete". */
  steps: string;
  /** Provider documentation link. */
  url: string;
}

/** Matches a provider response: every given condition must hold. */
export interface HttpMatcher {
  status?: number[];
  /** Dotted path in the JSON body → the value it must equal. */
  json?: Record<string, string | number | boolean | null>;
}

/** Takes one value from a step's JSON response for later templates (`{{name}}`). */
export interface HttpExtractor {
  /** Dotted path of an array to search ("" = the body itself). */
  list?: string;
  /** Item field → template the field must equal; exactly one item may match. */
  where?: Record<string, string>;
  /** Dotted path of the value, inside the matched item or the body. */
  pick: string;
}

/** One HTTP request of a verify/revoke sequence. Strings are templates. */
export interface HttpStep {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  body?: string;
  expect?: HttpMatcher | HttpMatcher[];
  extract?: Record<string, HttpExtractor>;
}

export interface VerifySpec {
  origin: string;
  steps: HttpStep[];
  active?: HttpMatcher | HttpMatcher[];
  inactive?: HttpMatcher | HttpMatcher[];
  note?: string;
  /** What a live token belongs to and reaches, read from documented read-only answers. */
  access?: AccessProbe[];
}

/**
 * One source of access facts: the verify step's own answer (no `request`), or one more read-only
 * GET to the same origin. Facts are read from the JSON body or the headers.
 */
export interface AccessProbe {
  request?: { method: 'GET'; path: string; headers?: Record<string, string> };
  /** Pages to read by following `Link: <…>; rel="next"` (same origin only). Default 1. */
  pages?: number;
  /** Fact name → how to read it, in display order. */
  facts: Record<string, AccessFactSpec>;
}

/** How one fact is read. Exactly one of `json`, `header`, `value`, `list` says where from. */
export interface AccessFactSpec {
  /** Shown before the value: `account`, `scopes`, `can write to`. */
  label: string;
  /** Dotted path of a scalar or a list of scalars in the JSON body. */
  json?: string;
  /** Response header (case-insensitive). */
  header?: string;
  /** A constant (what the rule itself knows, e.g. `live` for a live-mode key). */
  value?: string;
  /** Dotted path of an array in the JSON body (`""` = the body). */
  list?: string;
  /** With `list`: item field (dotted path) → value it must equal; strings are templates. */
  where?: Record<string, string | number | boolean>;
  /** With `list`: the one matching item's value at this path (no match or several: no fact). */
  pick?: string;
  /** With `list`: every matching item's value at this path; shown as a count. */
  items?: string;
  /** With `items`: path grouping the items by owner (`owner.login` → "14 repositories of acme"). */
  group?: string;
  /** With `items`: what the items are, e.g. `repositories`. */
  noun?: string;
  /** Splits a string value into a list (`X-OAuth-Scopes: repo, gist`). */
  split?: string;
  /** Display text per value (`{ 'true': read-only }`). */
  values?: Record<string, string>;
}

export interface RevokeSpec {
  origin: string;
  steps: HttpStep[];
  /** Several secrets per request (`{{secrets}}`), at most `max`. */
  batch?: { max: number };
  /** What happens, shown in the plan. */
  effect?: string;
  docs?: string;
}

/** The partner value of a paired credential, searched for around each match of the rule. */
export interface RulePair {
  /** Name of the part in `Finding.parts`, e.g. `secretAccessKey`, `clientId`. */
  name: string;
  /** JavaScript regular expression; the value is the group named `value`, else group 1, else 0. */
  pattern: string;
  flags?: string;
  /** Bytes before the match's start and after its end searched for the partner. Default 512. */
  window?: { before?: number; after?: number };
  /** Without a partner there is no finding. Default false: the match is reported alone. */
  required?: boolean;
}

/** One allow-list entry of a rule: matches it covers are not reported. */
export interface RuleAllow {
  /** Regular expressions tested against `target`. */
  patterns?: string[];
  /** Flags for `patterns` (e.g. `i`). */
  flags?: string;
  /** What `patterns` are tested against: the secret (default), the whole match, or its line (at most 8 KB on each side of the match). */
  target?: 'secret' | 'match' | 'line';
  /** Case-insensitive substrings of the secret that mark a placeholder. */
  stopwords?: string[];
  /** Regular expressions tested against the source path. */
  paths?: string[];
  /** `or` (default): any listed criterion allows; `and`: all must. */
  condition?: 'or' | 'and';
}

/** A rule as written in a `rules/*.yaml` file (after the file-level `provider` is applied). */
export interface RuleDefinition {
  id: string;
  provider: string;
  title: string;
  description?: string;
  severity: Severity;
  /** Explicit confidence; default: high when a checksum validates, else medium. */
  confidence?: Confidence;
  /** Literals for the prefilter (matched case-insensitively). At least one, except for a
   * `detector` rule (none). */
  keywords: string[];
  /** JavaScript regular expression source (empty for a `detector` rule). */
  pattern: string;
  /** Extra regex flags (`i`, `s`, `m`, `u`). `g`/`y`/`d` are managed by the engine. */
  flags?: string;
  /** Capture group holding the secret: a number or the name of a named group. Default: the
   * group named `secret`, else group 1 if the pattern has groups, else the whole match. */
  secretGroup?: number | string;
  /** Bytes around a keyword hit in which the pattern is run. */
  window?: { before?: number; after?: number };
  validators?: RuleValidators;
  examples: { positive: RuleExample[]; negative: RuleExample[] };
  rotate?: RuleRotate;
  /** Read-only verification request(s); interpreted by @tokenward/revoke. */
  verify?: VerifySpec;
  /** Revocation request(s); interpreted by @tokenward/revoke. Without it: manual steps (`rotate`). */
  revoke?: RevokeSpec;
  /** Second part of a paired credential (AWS key id + secret, Finout client id + secret key):
   * found near the match and reported in the same finding. See `pairing.ts`. */
  pair?: RulePair;
  /** Matches this rule knows to be harmless (see `rule-allow.ts`). */
  allow?: RuleAllow[];
  /** A structural detector run on whole files instead of a pattern (key stores, binary private
   * keys; see key-stores.ts). Such a rule has no keywords and no pattern. */
  detector?: KeyStoreDetector;
  /** Free-form labels shown in reports (`generic`, `password`); they change no behaviour. */
  tags?: string[];
  /** Context handler judging the rule's matches (generic rules): see context/handler-names.ts.
   * Such a rule's confidence is decided per finding by the handler. */
  context?: ContextHandlerName;
  /** Where the rule was loaded from, for error messages and docs. */
  source?: { file: string; line?: number };
}

/** Where a chunk of text came from. Sources fill what they know. */
export interface Origin {
  /** File path (relative to the scan root when there is one) or a label like `<stdin>`. */
  path: string;
  /** Git commit the text belongs to (history scans). */
  commit?: string;
  /** Free-form source kind: `file`, `stdin`, `git-blob`, `git-message`, `git-staged`, `buffer`, … */
  kind?: string;
  /** Author of `commit` as `Name <email>` (history scans). */
  author?: string;
  /** Author date of `commit`, ISO 8601 (history scans). */
  date?: string;
}

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column in UTF-16 code units (what editors, ESLint and SARIF's default use). */
  column: number;
}

export interface Finding {
  ruleId: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  origin: Origin;
  start: Position;
  /** Position just after the last character of the secret (exclusive end, 1-based). */
  end: Position;
  /** Byte offset of the secret in the whole source (not just the chunk). */
  byteOffset: number;
  byteLength: number;
  /** `ghp_****…4Tq1`: safe to print. */
  redacted: string;
  /** Stable id from rule + secret, never from position: scrypt salted by the rule, 40 hex
   * characters, computed on first read (see redact.ts). Safe to store and to publish. */
  fingerprint: string;
  /** The raw secret. In memory only: reporters must never print it unless asked to. */
  secret: string;
  /** Extra named parts for paired credentials (e.g. AWS key id), redacted. */
  parts?: Record<string, string>;
  /** The raw values of `parts` (for verification). In memory only, like `secret`. */
  partSecrets?: Record<string, string>;
  /** Where the partner of a paired credential is written (the AWS secret access key's own line). */
  partner?: { name: string; start: Position; end: Position; byteOffset: number; byteLength: number };
  /** An inline directive (`tokenward:allow`, `gitleaks:allow`, …) written at the secret: set by the
   * engine, which has the bytes; whether it hides the finding is decided by suppression. */
  inlineAllow?: { directive: string; tool: string; line: number };
  /** History scans: how many commits introduced this secret (one finding per secret, placed at
   * its first introduction). */
  occurrences?: number;
  /** History scans: whether the secret is still in HEAD's tree (removing it from HEAD is not
   * enough once committed: it must be revoked). */
  presentAtHead?: boolean;
}

export class RuleFileError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly ruleId?: string,
    readonly field?: string,
  ) {
    const where = line ? `${file}:${line}` : file;
    const who = ruleId ? ` rule "${ruleId}"` : '';
    const what = field ? ` field "${field}"` : '';
    super(`${where}:${who}${what} ${detail}`.replace(/: +/, ': '));
    this.name = 'RuleFileError';
  }
}
