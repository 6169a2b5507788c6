/**
 * Paired credentials: some secrets are only usable (and only verifiable) together with a second
 * value next to them — an AWS access key id and its secret access key, a Finout client id and its
 * secret key. The rule matches one part; its `pair` finds the other nearby, and both become ONE
 * finding (the partner redacted in `Finding.parts`, raw only in memory in `partSecrets`).
 */
import type { Buffer } from 'node:buffer';
import type { RuleDefinition, RulePair } from './types.js';

export interface CompiledPair {
  readonly name: string;
  readonly regex: RegExp;
  readonly group: number | string;
  readonly before: number;
  readonly after: number;
  readonly required: boolean;
}

export interface PartnerMatch {
  value: string;
  /** Byte offsets in the scanned buffer. */
  start: number;
  end: number;
}

export const DEFAULT_PAIR_WINDOW = 512;

export class PairCompileError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'PairCompileError';
  }
}

const compiled = new WeakMap<RulePair, CompiledPair>();

/** Compiles (once per definition object) a rule's `pair`; throws `PairCompileError` naming the field. */
export function compilePair(pair: RulePair): CompiledPair {
  const cached = compiled.get(pair);
  if (cached) return cached;
  const flags = (pair.flags ?? '').replace(/[gyd]/g, '');
  let regex: RegExp;
  try {
    regex = new RegExp(pair.pattern, `${flags}gd`);
  } catch (e) {
    throw new PairCompileError('pair.pattern', (e as Error).message);
  }
  const groups = new RegExp(`${pair.pattern}|`, flags).exec('')!.length - 1;
  const group = pair.pattern.includes('(?<value>') ? 'value' : groups > 0 ? 1 : 0;
  const result: CompiledPair = {
    name: pair.name,
    regex,
    group,
    before: pair.window?.before ?? DEFAULT_PAIR_WINDOW,
    after: pair.window?.after ?? DEFAULT_PAIR_WINDOW,
    required: pair.required ?? false,
  };
  compiled.set(pair, result);
  return result;
}

/** The rule's compiled pair, or undefined for ordinary rules. */
export const pairOf = (def: RuleDefinition): CompiledPair | undefined => (def.pair ? compilePair(def.pair) : undefined);

/**
 * The partner value closest to the match `[start, end)` within the pair's window, never one that
 * overlaps the match itself. `buf` is decoded as latin1 so string indices are byte offsets.
 */
export function findPartner(buf: Buffer, pair: CompiledPair, start: number, end: number): PartnerMatch | undefined {
  const from = Math.max(0, start - pair.before);
  const to = Math.min(buf.length, end + pair.after);
  const text = buf.toString('latin1', from, to);
  const re = pair.regex;
  re.lastIndex = 0;
  let best: PartnerMatch | undefined;
  let bestDistance = Number.MAX_SAFE_INTEGER;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const span = typeof pair.group === 'number' ? m.indices?.[pair.group] : m.indices?.groups?.[pair.group];
    if (!span || span[1] <= span[0]) continue;
    const s = from + span[0];
    const e = from + span[1];
    if (s < end && e > start) continue;
    const distance = e <= start ? start - e : s - end;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = { value: buf.toString('utf8', s, e), start: s, end: e };
    }
  }
  return best;
}

/** Named partner values found for one match: raw (memory only) and redacted (safe to print). */
export interface MatchParts {
  partSecrets: Record<string, string>;
  parts: Record<string, string>;
  /** The partner's name and byte span in the scanned buffer. */
  partner: { name: string; start: number; end: number };
}

/**
 * Attaches partners to the matches of paired rules and drops matches of rules whose partner is
 * required but absent. A partner belongs to its pair's finding, so another rule's match on the
 * partner's text (a generic `secret = …` rule on an AWS secret access key) is dropped: one
 * credential, one finding. Other matches pass through untouched.
 */
export function pairMatches<T extends { rule: { def: RuleDefinition }; start: number; end: number; pair?: MatchParts }>(
  buf: Buffer,
  matches: T[],
  redactPart: (value: string) => string,
): T[] {
  if (!matches.some((m) => m.rule.def.pair)) return matches;
  const kept: T[] = [];
  const partnerSpans: Array<[number, number]> = [];
  for (const m of matches) {
    const pair = pairOf(m.rule.def);
    if (!pair) {
      kept.push(m);
      continue;
    }
    const partner = findPartner(buf, pair, m.start, m.end);
    if (!partner) {
      if (!pair.required) kept.push(m);
      continue;
    }
    m.pair = { partSecrets: { [pair.name]: partner.value }, parts: { [pair.name]: redactPart(partner.value) }, partner: { name: pair.name, start: partner.start, end: partner.end } };
    partnerSpans.push([partner.start, partner.end]);
    kept.push(m);
  }
  if (partnerSpans.length === 0) return kept;
  const overlaps = spanOverlapTest(partnerSpans);
  return kept.filter((m) => m.pair !== undefined || !overlaps(m.start, m.end));
}

/** Whether `[start, end)` overlaps one of `spans`: sorted once, then a binary search per question
 * (a file of many pairs and many other matches must not compare every match with every partner). */
function spanOverlapTest(spans: Array<[number, number]>): (start: number, end: number) => boolean {
  spans.sort((a, b) => a[0] - b[0]);
  // maxEnd[i]: the furthest any of spans[0..i] reaches.
  const maxEnd: number[] = [];
  for (const [i, [, e]] of spans.entries()) maxEnd.push(Math.max(e, i > 0 ? maxEnd[i - 1]! : e));
  return (start, end) => {
    // The last span starting before `end`: it or one before it must reach past `start`.
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid]![0] < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && maxEnd[lo - 1]! > start;
  };
}
