import { createHash } from 'node:crypto';

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

/** Stable identifier of a secret for a rule: never derived from where it was found, and one-way. */
export function fingerprint(ruleId: string, secret: string): string {
  return createHash('sha256').update('tokenward:v1\0').update(ruleId).update('\0').update(secret).digest('hex').slice(0, 32);
}
