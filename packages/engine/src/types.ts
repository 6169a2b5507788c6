import type { FromSchema } from 'json-schema-to-ts';
import type { ruleSchema } from './rule-schema.js';

/** Shapes shared by every Tokenward package. Rule *definitions* are data (from `rules/`); compiled
 * rules and findings are what the engine produces from them. */

/**
 * A rule as written in a rule file, derived from `ruleSchema` (rule-schema.ts) so the type and
 * the validation cannot drift apart; what each key means is described there.
 */
type RawRule = FromSchema<typeof ruleSchema>;

export type Severity = RawRule['severity'];

/** checksum-verified > provider format > context-only (generic). */
export type Confidence = NonNullable<RawRule['confidence']>;

export const CONFIDENCE_ORDER: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };
export const SEVERITY_ORDER: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** An example the rule must find (positive, `secret` the exact secret expected, default `text`)
 * or must not find (negative). `encoding: base64`: `text` is binary content, base64-encoded
 * (examples of `detector` rules, written `{ base64: … }` in rule files). */
export type RuleExample = { text: string; secret?: string; encoding?: 'base64' };

/** Offline checks: length bounds, charset (a regex character-class body), checksum name, entropy. */
export type RuleValidators = NonNullable<RawRule['validators']>;

/** How a person rotates or revokes the token by hand: steps and the provider's documentation. */
export type RuleRotate = NonNullable<RawRule['rotate']>;

/** Read-only verification request(s); interpreted by @tokenward/revoke. */
export type VerifySpec = NonNullable<RawRule['verify']>;

/** Revocation request(s); interpreted by @tokenward/revoke. Without it: manual steps (`rotate`). */
export type RevokeSpec = NonNullable<RawRule['revoke']>;

/** One HTTP request of a verify/revoke sequence. Strings are templates. */
export type HttpStep = VerifySpec['steps'][number];

/** Matches a provider response: every given condition must hold. */
export type HttpMatcher = Exclude<NonNullable<HttpStep['expect']>, readonly unknown[]>;

/** Takes one value from a step's JSON response for later templates (`{{name}}`). */
export type HttpExtractor = NonNullable<HttpStep['extract']>[string];

/**
 * One source of access facts: the verify step's own answer (no `request`), or one more read-only
 * GET to the same origin. Facts are read from the JSON body or the headers.
 */
export type AccessProbe = NonNullable<VerifySpec['access']>[number];

/** How one fact is read. Exactly one of `json`, `header`, `value`, `list` says where from. */
export type AccessFactSpec = AccessProbe['facts'][string];

/** The partner value of a paired credential, searched for around each match of the rule (pairing.ts). */
export type RulePair = NonNullable<RawRule['pair']>;

/** One allow-list entry of a rule: matches it covers are not reported (rule-allow.ts). */
export type RuleAllow = NonNullable<RawRule['allow']>[number];

/**
 * A rule as the engine takes it: a rule file's rule (see `ruleSchema`) after loading, with the
 * file-level `provider` applied, examples normalized to objects, and where it was loaded from.
 */
export type RuleDefinition = Omit<RawRule, 'provider' | 'examples' | 'keywords' | 'pattern'> & {
  provider: string;
  /** Empty for a `detector` rule (the schema allows neither or both). */
  keywords: string[];
  pattern: string;
  examples: { positive: RuleExample[]; negative: RuleExample[] };
  /** Where the rule was loaded from, for error messages and docs. */
  source?: { file: string; line?: number };
};

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
