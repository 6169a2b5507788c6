import { Buffer } from 'node:buffer';
import { LOOKBEHIND_CONTEXT, type CompiledRule, type CompiledRules } from './compile.js';
import { redact, withLazyFingerprint } from './redact.js';
import { CONFIDENCE_ORDER, SEVERITY_ORDER, type Confidence, type Finding, type Origin, type Severity } from './types.js';
import { shannonEntropy } from './validators.js';
import { InlineAllowFinder } from './suppress.js';
import { LineBreakCursor } from './lines.js';
import { pairMatches, type MatchParts } from './pairing.js';
import { filterAllowed } from './rule-allow.js';
import { applyContext } from './context/index.js';

/** Where a chunk sits in its whole source, so findings get absolute positions. */
export interface ChunkPlacement {
  /** Absolute byte offset of the chunk's first byte. Default 0. */
  baseByte?: number;
  /** 1-based line of the chunk's first byte. Default 1. */
  baseLine?: number;
  /** 1-based UTF-16 column of the chunk's first byte. Default 1. */
  baseColumn?: number;
  /** Only report secrets whose match starts at or after this chunk-relative byte. */
  reportFrom?: number;
  /** Only report matches that end at or before this chunk-relative byte. */
  reportTo?: number;
}

/** A match before positions are computed (chunk-relative byte offsets). */
interface RawMatch {
  rule: CompiledRule;
  matchStart: number;
  /** End of the whole match (rule allow-lists may test it); absent for derived matches. */
  matchEnd?: number;
  start: number;
  end: number;
  secret: string;
  /** Partner of a paired credential (see pairing.ts). */
  pair?: MatchParts;
  /** Set by the context stage for generic findings; else the rule's confidence. */
  confidence?: Confidence;
}

const confidenceOf = (m: RawMatch): Confidence => m.confidence ?? m.rule.confidence;
/** Overlap rank: confidence first; at equal confidence a provider format beats a generic context rule. */
const rankOf = (m: RawMatch): number => CONFIDENCE_ORDER[confidenceOf(m)] * 2 + (m.rule.context ? 0 : 1);

/** A generic finding's severity never claims more than its confidence supports. */
function severityOf(m: RawMatch): Severity {
  const sev = m.rule.def.severity;
  return m.rule.context && confidenceOf(m) === 'low' && SEVERITY_ORDER[sev] > SEVERITY_ORDER.medium ? 'medium' : sev;
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Checks cheapest first: length and charset, then checksum, then entropy. */
export function validateSecret(rule: CompiledRule, secret: string): boolean {
  if (secret.length < rule.minLength || secret.length > rule.maxLength) return false;
  if (rule.charset && !rule.charset.test(secret)) return false;
  if (rule.checksum && !rule.checksum(secret)) return false;
  if (rule.entropy > 0 && shannonEntropy(secret) < rule.entropy) return false;
  return true;
}

function groupSpan(m: RegExpExecArray, group: number | string): [number, number] | undefined {
  const indices = m.indices;
  if (!indices) return undefined;
  const span = typeof group === 'number' ? indices[group] : indices.groups?.[group];
  return span ? [span[0], span[1]] : undefined;
}

/** Extra bytes a match touching its window's end may grow by (long JWTs, keys): bounded, once. */
const WIDEN_BYTES = 4096;
/**
 * Overlapping keyword windows merge into one search, but only up to this many bytes: past it the
 * next hit's window is searched on its own. A pattern may try every start in its window and, from
 * each, read to the window's end; a flood of keyword hits would otherwise make one window of the
 * whole file and that work quadratic in the file's size (issue 14).
 */
const MAX_MERGED_WINDOW = 8192;
const STICKY = new WeakMap<CompiledRule, RegExp>();

function stickyOf(rule: CompiledRule): RegExp {
  let re = STICKY.get(rule);
  if (!re) STICKY.set(rule, (re = new RegExp(rule.regex.source, `${rule.regex.flags}y`)));
  return re;
}

/**
 * Runs one rule's exact pattern over one window. Windows come from keyword hits, so no rule ever
 * runs over a whole file on its own: the search never goes past the window's end, and the one
 * match that may touch it is retried once on a bounded extension (`after` + 4 KB). Searching the
 * extension for further matches would turn every window into "the rest of the file" (quadratic).
 * Returns where the last match ended, so the rule's next window does not report a piece of it again.
 */
function matchWindow(buf: Buffer, rule: CompiledRule, ws: number, we: number, out: RawMatch[]): number {
  const ctx = Math.max(0, ws - LOOKBEHIND_CONTEXT);
  // latin1 maps each byte to one UTF-16 unit, so string indices are byte offsets.
  const text = buf.toString('latin1', ctx, we);
  const re = rule.regex;
  re.lastIndex = ws - ctx;
  let wider: string | undefined;
  let lastEnd = ws;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    let matchEnd = m.index + m[0].length;
    // A match touching the window's end may be a longer string cut short: retry it once with more
    // text (the same start, so look-behinds see what they saw), and search no further.
    const widened = matchEnd === text.length && we < buf.length;
    if (widened) {
      // Decoded once per window: failed retries at later starts reuse it.
      wider ??= buf.toString('latin1', ctx, Math.min(buf.length, we + rule.after + WIDEN_BYTES));
      const sticky = stickyOf(rule);
      sticky.lastIndex = m.index;
      const again = sticky.exec(wider);
      if (!again || again[0].length === 0) {
        re.lastIndex = m.index + 1;
        continue;
      }
      m = again;
      matchEnd = m.index + m[0].length;
    }
    re.lastIndex = matchEnd;
    lastEnd = ctx + matchEnd;
    const span = groupSpan(m, rule.secretGroup);
    if (span && span[1] > span[0]) {
      const start = ctx + span[0];
      const end = ctx + span[1];
      // Secrets are decoded as UTF-8 (generic passwords may hold non-ASCII characters).
      const secret = buf.toString('utf8', start, end);
      if (validateSecret(rule, secret)) out.push({ rule, matchStart: ctx + m.index, matchEnd: ctx + matchEnd, start, end, secret });
    }
    // Past the window's end the next keyword hit has its own window.
    if (widened) break;
  }
  return lastEnd;
}

/** UTF-16 code units for UTF-8 bytes `[from, to)`: count lead bytes, two units for 4-byte ones. */
export function utf16Length(buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    if ((b & 0xc0) !== 0x80) n += b >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** Turns sorted byte offsets into 1-based line/column, walking the chunk once. */
class PositionTracker {
  private pos = 0;
  private line: number;
  private lineStart = 0;
  /** Column (1-based) of `lineStart`: only the first line of a chunk can start mid-line. */
  private lineStartColumn: number;
  private colPos = 0;
  private colAtPos: number;
  private readonly breaks: LineBreakCursor;

  constructor(
    private readonly buf: Buffer,
    baseLine: number,
    baseColumn: number,
  ) {
    this.line = baseLine;
    this.lineStartColumn = baseColumn;
    this.colAtPos = baseColumn;
    this.breaks = new LineBreakCursor(buf);
  }

  /** Position of `offset`; offsets must come in ascending order. */
  at(offset: number): { line: number; column: number } {
    let nl = this.breaks.next(this.pos);
    while (nl !== -1 && nl < offset) {
      this.line++;
      this.lineStart = nl + 1;
      this.lineStartColumn = 1;
      nl = this.breaks.next(nl + 1);
    }
    this.pos = offset;
    if (this.colPos < this.lineStart) {
      this.colPos = this.lineStart;
      this.colAtPos = this.lineStartColumn;
    }
    this.colAtPos += utf16Length(this.buf, this.colPos, offset);
    this.colPos = offset;
    return { line: this.line, column: this.colAtPos };
  }
}

/** When two rules claim overlapping text, the more confident finding wins. */
function dropOverlaps(matches: RawMatch[]): RawMatch[] {
  if (matches.length < 2) return matches;
  matches.sort((a, b) => a.start - b.start || rankOf(b) - rankOf(a) || (b.end - b.start) - (a.end - a.start));
  const kept: RawMatch[] = [];
  for (const m of matches) {
    const prev = kept[kept.length - 1];
    if (prev && m.start < prev.end) {
      if (m.start === prev.start && m.end === prev.end && m.rule === prev.rule) continue;
      const better = rankOf(m) > rankOf(prev);
      if (better) kept[kept.length - 1] = m;
      else if (rankOf(m) < rankOf(prev)) continue;
      else if (m.start === prev.start && m.end === prev.end) continue;
      else kept.push(m);
      continue;
    }
    kept.push(m);
  }
  return kept;
}

/**
 * Scans one chunk of bytes. Pure: the same input always gives the same findings.
 * `bytes` may be a Buffer or any Uint8Array; strings go through `scanText`.
 */
export function scanBytes(compiled: CompiledRules, bytes: Uint8Array, origin: Origin, placement: ChunkPlacement = {}): Finding[] {
  const buf = asBuffer(bytes);
  const { rules, keywordRules } = compiled;
  // Pass 1: keyword hits → merged per-rule windows.
  const windows: (number[] | undefined)[] = new Array(rules.length);
  let touched: number[] | undefined;
  compiled.prefilter.scan(buf, (k, start, end) => {
    const ruleIdxs = keywordRules[k]!;
    for (let j = 0; j < ruleIdxs.length; j++) {
      const ri = ruleIdxs[j]!;
      const rule = rules[ri]!;
      const ws = start > rule.before ? start - rule.before : 0;
      const we = Math.min(buf.length, end + rule.after);
      let w = windows[ri];
      if (w === undefined) {
        w = windows[ri] = [ws, we];
        (touched ??= []).push(ri);
      } else if (ws <= w[w.length - 1]!) {
        const last = w[w.length - 1]!;
        if (we <= last) continue;
        if (we - w[w.length - 2]! <= MAX_MERGED_WINDOW) w[w.length - 1] = we;
        // A new window, still overlapping the last: a match of this hit may start before `last`.
        else w.push(ws, we);
      } else {
        w.push(ws, we);
      }
    }
  });
  if (!touched) return [];
  // Pass 2: exact patterns inside windows, then validators.
  let raw: RawMatch[] = [];
  for (const ri of touched) {
    const w = windows[ri]!;
    let resume = 0;
    for (let i = 0; i < w.length; i += 2) {
      const ws = Math.max(w[i]!, resume);
      if (ws < w[i + 1]!) resume = matchWindow(buf, rules[ri]!, ws, w[i + 1]!, raw);
    }
  }
  const reportFrom = placement.reportFrom ?? 0;
  const reportTo = placement.reportTo ?? Number.MAX_SAFE_INTEGER;
  // Context stage: placeholders, decoding, JS/TS syntax tree (context/index.ts).
  raw = applyContext(compiled, buf, origin, raw);
  raw = raw.filter((m) => m.matchStart >= reportFrom && m.end <= reportTo);
  if (raw.length === 0) return [];
  raw = filterAllowed(buf, raw, origin.path, (m) => m.matchEnd ?? m.end);
  if (raw.length === 0) return [];
  raw = dropOverlaps(raw);
  raw = pairMatches(buf, raw, (v) => redact(v));
  // Pass 3: positions, in byte order so the line walk is linear. Starts are sorted, but an end may
  // pass the next start (overlapping findings of equal confidence), so all offsets are sorted once.
  const baseByte = placement.baseByte ?? 0;
  const tracker = new PositionTracker(buf, placement.baseLine ?? 1, placement.baseColumn ?? 1);
  const positions = new Map<number, { line: number; column: number }>();
  for (const offset of raw.flatMap((m) => (m.pair ? [m.start, m.end, m.pair.partner.start, m.pair.partner.end] : [m.start, m.end])).sort((a, b) => a - b)) {
    if (!positions.has(offset)) positions.set(offset, tracker.at(offset));
  }
  const inline = new InlineAllowFinder(buf, raw.length);
  const findings: Finding[] = [];
  for (const m of raw) {
    const start = positions.get(m.start)!;
    const end = positions.get(m.end)!;
    const def = m.rule.def;
    const finding: Omit<Finding, 'fingerprint'> = {
      ruleId: def.id,
      provider: def.provider,
      title: def.title,
      severity: severityOf(m),
      confidence: confidenceOf(m),
      origin,
      start,
      end,
      byteOffset: baseByte + m.start,
      byteLength: m.end - m.start,
      redacted: redact(m.secret, m.rule.visiblePrefixes),
      secret: m.secret,
      ...(m.pair ? { parts: m.pair.parts, partSecrets: m.pair.partSecrets } : {}),
    };
    if (m.pair) {
      const { name, start: ps, end: pe } = m.pair.partner;
      finding.partner = { name, start: positions.get(ps)!, end: positions.get(pe)!, byteOffset: baseByte + ps, byteLength: pe - ps };
    }
    const allow = inline.find(m.start, m.end, start.line);
    if (allow) finding.inlineAllow = allow;
    findings.push(withLazyFingerprint(finding));
  }
  return findings;
}

/** Scans a string (editor buffers, tests). Columns are UTF-16, as editors count them. */
export function scanText(compiled: CompiledRules, text: string, origin: Origin): Finding[] {
  return scanBytes(compiled, Buffer.from(text, 'utf8'), origin);
}
