import { createHash, scryptSync } from 'node:crypto';

/**
 * `ghp_****…4Tq1`: the rule's public prefix (when the secret starts with one) and the last four
 * characters. Short secrets show nothing but the prefix.
 */
export function redact(secret: string, visiblePrefixes: readonly string[] = []): string {
  let prefix = '';
  for (const p of visiblePrefixes) {
    if (secret.startsWith(p) && p.length < secret.length) {
      prefix = p;
      break;
    }
  }
  const rest = secret.length - prefix.length;
  if (rest < 12) return `${prefix}****`;
  return `${prefix}****…${secret.slice(-4)}`;
}

/**
 * scrypt's cost for fingerprints. Fingerprints are committed (baselines, allow entries) and
 * published (reports), so a weak password must not be cheap to recover by hashing guesses: each
 * guess costs one scrypt over 128 KB of memory (N × r × 128 bytes), 30–75 times a SHA-256 in Node
 * on a CPU (scripts/bench/fingerprint-guess.mjs), and more on a GPU, whose many small cores lack
 * that much memory each. The most a full scan affords: `tokenward scan` of the CredData corpus
 * (400 distinct secrets) stays within 3% of its time with SHA-256, where N = 256 cost 4–13%
 * (scripts/bench/fingerprint-cost.mjs and whole runs).
 */
export const FINGERPRINT_COST = { N: 128, r: 8, p: 1 } as const;
/** Hex characters of a fingerprint; the 32-character ones are SHA-256 fingerprints of earlier versions. */
export const FINGERPRINT_LENGTH = 40;
export const LEGACY_FINGERPRINT_LENGTH = 32;

/** Fingerprints computed in this process, by legacy fingerprint: one scrypt per distinct secret. */
const computed = new Map<string, string>();
const COMPUTED_LIMIT = 4096;

/** The SHA-256 fingerprint of earlier versions: fast, so guessable; only matched, never written. */
export function legacyFingerprint(ruleId: string, secret: string): string {
  return createHash('sha256').update('tokenward:v1\0').update(ruleId).update('\0').update(secret).digest('hex').slice(0, LEGACY_FINGERPRINT_LENGTH);
}

/**
 * Stable identifier of a secret for a rule: never derived from where it was found, one-way, and
 * slow to guess: scrypt of the secret, salted with the rule id (the same password under two rules
 * gives two fingerprints, and no table serves every rule).
 */
export function fingerprint(ruleId: string, secret: string): string {
  const key = legacyFingerprint(ruleId, secret);
  let fp = computed.get(key);
  if (fp === undefined) {
    fp = scryptSync(secret, `tokenward:v2\0${ruleId}`, FINGERPRINT_LENGTH / 2, FINGERPRINT_COST).toString('hex');
    if (computed.size >= COMPUTED_LIMIT) computed.delete(computed.keys().next().value!);
    computed.set(key, fp);
  }
  return fp;
}

/** Whether `fp` is an earlier version's SHA-256 fingerprint (matched through `legacyFingerprint`). */
export const isLegacyFingerprint = (fp: string): boolean => fp.length === LEGACY_FINGERPRINT_LENGTH;

function computeFingerprint(this: { ruleId: string; secret: string }): string {
  const value = fingerprint(this.ruleId, this.secret);
  Object.defineProperty(this, 'fingerprint', { value, writable: true, enumerable: true, configurable: true });
  return value;
}

function setFingerprint(this: object, value: string): void {
  Object.defineProperty(this, 'fingerprint', { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Gives a finding its `fingerprint` on first read, not when it is found: most findings of a
 * scan are printed (and their fingerprint with them), but those hidden by an inline comment, a
 * path ignore or a confidence threshold never pay for scrypt. An own enumerable property, so
 * JSON, structured clone (worker threads) and spreads read it like any other.
 */
export function withLazyFingerprint<T extends { ruleId: string; secret: string }>(finding: T): T & { fingerprint: string } {
  Object.defineProperty(finding, 'fingerprint', { get: computeFingerprint, set: setFingerprint, enumerable: true, configurable: true });
  return finding as T & { fingerprint: string };
}
