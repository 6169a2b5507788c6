import { redact } from '@tokenward/engine';

/** Provider error bodies sometimes echo the token: replace every secret by its redacted form. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    out = out.split(s).join(redact(s));
  }
  return out;
}
