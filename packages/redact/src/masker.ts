import { Buffer } from 'node:buffer';
import { compilePair, findPartner, redact, fingerprint, scanBytes, type CompiledRules, type Finding, type Origin } from '@tokenward/engine';

/** `partial`: the report's form (`ghp_****…4Tq1`); `full`: `****`, nothing of the secret shown. */
export type MaskStyle = 'partial' | 'full';

/** What was masked: safe to store (no secret, no redacted form). */
export interface MaskedSecret {
  ruleId: string;
  fingerprint: string;
  /** Set for the partner of a paired credential (e.g. `secretAccessKey`). */
  part?: string;
}

/** A byte span of the scanned buffer and its replacement, with what it hides (in memory only). */
interface Span {
  start: number;
  end: number;
  mask: string;
  ruleId: string;
  /** The secret under the span: kept only to derive a fingerprint when one is asked for. */
  secret: string;
  part?: string;
}

/**
 * What a span masked, for `onMasked` and `--report`. Its fingerprint is a scrypt (see the
 * engine's redact.ts), so it is derived here, when a caller asks, never while masking.
 */
export function maskedSecret(s: Span): MaskedSecret {
  return { ruleId: s.ruleId, fingerprint: fingerprint(s.ruleId, s.secret), ...(s.part ? { part: s.part } : {}) };
}

const FULL_MASK = '****';

/**
 * Finds secrets in `buf` with the engine and returns the spans to mask that end after `from`
 * (bytes before `from` were written already and serve as context only), clipped to `[from, …)`,
 * sorted and without overlaps.
 */
export function spansToMask(compiled: CompiledRules, buf: Buffer, from: number, style: MaskStyle, origin: Origin): Span[] {
  const findings = scanBytes(compiled, buf, origin);
  if (findings.length === 0) return [];
  const spans: Span[] = [];
  for (const f of findings) {
    const start = f.byteOffset;
    const end = start + f.byteLength;
    if (end > from) spans.push({ start: Math.max(start, from), end, mask: style === 'full' ? FULL_MASK : f.redacted, ruleId: f.ruleId, secret: f.secret });
    if (f.partSecrets) addPartners(compiled, buf, f, from, style, spans);
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of spans) {
    const prev = out[out.length - 1];
    if (prev && s.start < prev.end) {
      if (s.end > prev.end) prev.end = s.end;
      continue;
    }
    out.push(s);
  }
  return out;
}

/** The partner of a paired credential (AWS secret access key beside its key id) is a secret too. */
function addPartners(compiled: CompiledRules, buf: Buffer, f: Finding, from: number, style: MaskStyle, spans: Span[]): void {
  const def = compiled.byId.get(f.ruleId)?.def;
  if (!def?.pair) return;
  const pair = compilePair(def.pair);
  // The same search the engine ran on the same bytes, so the same partner.
  const partner = findPartner(buf, pair, f.byteOffset, f.byteOffset + f.byteLength);
  if (!partner || partner.end <= from) return;
  spans.push({
    start: Math.max(partner.start, from),
    end: partner.end,
    mask: style === 'full' ? FULL_MASK : redact(partner.value),
    ruleId: f.ruleId,
    secret: partner.value,
    part: pair.name,
  });
}

/** `buf[from, to)` with the spans replaced; pieces share memory with `buf` where nothing changed. */
export function applySpans(buf: Buffer, from: number, to: number, spans: readonly Span[]): Buffer {
  if (spans.length === 0) return buf.subarray(from, to);
  const pieces: Buffer[] = [];
  let at = from;
  for (const s of spans) {
    if (s.start >= to) break;
    if (s.start > at) pieces.push(buf.subarray(at, s.start));
    pieces.push(Buffer.from(s.mask, 'utf8'));
    at = Math.max(at, s.end);
  }
  if (at < to) pieces.push(buf.subarray(at, to));
  return Buffer.concat(pieces);
}

export type { Span };
