/**
 * Suppression logic shared by the CLI and the language server. Pure: callers read files and
 * baselines; this module only decides, for a finding, whether something the user wrote hides it and
 * why. The reason is kept so `--show-suppressed` (and editor hovers) can explain every silence.
 */
import { Buffer } from 'node:buffer';
import type { Confidence, Finding } from './types.js';
import { CONFIDENCE_ORDER } from './types.js';
import { isLineBreakAt, isLineBreakByte } from './lines.js';
import { isLegacyFingerprint, legacyFingerprint } from './redact.js';

/** An inline comment directive: ours or another scanner's, so existing repositories work unchanged. */
export interface InlineDirective {
  /** Canonical spelling, shown in explanations. */
  readonly name: string;
  /** The tool the directive belongs to. */
  readonly tool: string;
  /** `line`: the directive's own line; `next-line`: the line after it. */
  readonly scope: 'line' | 'next-line';
  readonly pattern: RegExp;
}

// Matched case-insensitively anywhere on the line, so every comment syntax works (#, //, /* */,
// <!-- -->, --, ;, REM). Each same-line form refuses a following `-x` so `tokenward:allow` never
// fires on `tokenward:allow-next-line` (which must not hide its own line).
export const INLINE_DIRECTIVES: readonly InlineDirective[] = [
  { name: 'tokenward:allow', tool: 'tokenward', scope: 'line', pattern: /tokenward:allow(?![-\w])/i },
  { name: 'tokenward:allow-next-line', tool: 'tokenward', scope: 'next-line', pattern: /tokenward:allow-next-line(?![-\w])/i },
  { name: 'gitleaks:allow', tool: 'gitleaks', scope: 'line', pattern: /gitleaks:allow(?![-\w])/i },
  { name: 'betterleaks:allow', tool: 'betterleaks', scope: 'line', pattern: /betterleaks:allow(?![-\w])/i },
  // detect-secrets writes `pragma: allowlist secret`; older versions accepted a hyphen.
  { name: 'pragma: allowlist secret', tool: 'detect-secrets', scope: 'line', pattern: /pragma:\s*allowlist[ -]secret\b/i },
  { name: 'pragma: allowlist nextline secret', tool: 'detect-secrets', scope: 'next-line', pattern: /pragma:\s*allowlist[ -]nextline[ -]secret\b/i },
  // secretlint may name rules after the directive; we hide the line for every rule.
  { name: 'secretlint-disable-line', tool: 'secretlint', scope: 'line', pattern: /secretlint-disable-line(?![-\w])/i },
  { name: 'secretlint-disable-next-line', tool: 'secretlint', scope: 'next-line', pattern: /secretlint-disable-next-line(?![-\w])/i },
  { name: 'trufflehog:ignore', tool: 'trufflehog', scope: 'line', pattern: /trufflehog:ignore(?![-\w])/i },
  { name: 'kingfisher:ignore', tool: 'kingfisher', scope: 'line', pattern: /kingfisher:ignore(?![-\w])/i },
  { name: 'ggignore', tool: 'ggshield', scope: 'line', pattern: /(?<![\w-])ggignore(?![-\w])/i },
];

/** Any directive keyword, to skip the per-directive regexes on the (usual) lines that have none. */
const ANY_DIRECTIVE_SOURCE = 'tokenward:allow|gitleaks:allow|betterleaks:allow|allowlist|secretlint-disable|trufflehog:ignore|kingfisher:ignore|ggignore';
const ANY_DIRECTIVE = new RegExp(ANY_DIRECTIVE_SOURCE, 'i');
/** Longer than any directive keyword: a keyword found in a part of a text starts at most this far
 * before a keyword occurrence found in the whole of it. */
const DIRECTIVE_SLACK = 32;

/** A directive found for a finding, with the 1-based line it is written on. */
export interface InlineAllow {
  directive: string;
  tool: string;
  line: number;
}

/** Bytes of a line examined on each side of the secret: a directive sits in a comment near it,
 * and minified files have multi-megabyte lines that must not be decoded once per finding. */
const LINE_LOOK = 8192;

function lineBounds(bytes: Uint8Array, from: number, to: number): [number, number] {
  let s = from;
  const minS = Math.max(0, from - LINE_LOOK);
  while (s > minS && !isLineBreakByte(bytes[s - 1])) s--;
  let e = to;
  const maxE = Math.min(bytes.length, to + LINE_LOOK);
  while (e < maxE && !isLineBreakByte(bytes[e])) e++;
  return [s, e];
}

function decode(bytes: Uint8Array, s: number, e: number): string {
  // latin1 keeps ASCII directives intact whatever the encoding of the rest of the line, and is
  // the cheapest decoding there is.
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('latin1', s, e);
}

function directiveIn(text: string, scope: 'line' | 'next-line'): InlineDirective | undefined {
  if (!ANY_DIRECTIVE.test(text)) return undefined;
  return INLINE_DIRECTIVES.find((d) => d.scope === scope && d.pattern.test(text));
}

/**
 * The inline directive that hides a secret occupying `bytes[start, end)`, if any: a same-line
 * directive on any line the secret spans, or a next-line directive on the line just before it.
 * `startLine` is the secret's 1-based line (used only to number the answer).
 */
export function findInlineAllow(bytes: Uint8Array, start: number, end: number, startLine: number): InlineAllow | undefined {
  const [ls, le] = lineBounds(bytes, start, Math.max(start, end));
  const own = decode(bytes, ls, le);
  const same = directiveIn(own, 'line');
  if (same) {
    // A secret spanning lines (private keys) is numbered by the line holding the directive.
    // [ls, start) holds no newline, so only newlines between the secret and the directive count.
    const at = ls + own.search(same.pattern);
    let line = startLine;
    for (let i = start; i < at; i++) if (isLineBreakAt(bytes, i)) line++;
    return { directive: same.name, tool: same.tool, line };
  }
  // The line before the secret's first line.
  let firstLineStart = start;
  while (firstLineStart > 0 && !isLineBreakByte(bytes[firstLineStart - 1]) && start - firstLineStart < LINE_LOOK) firstLineStart--;
  if (firstLineStart === 0 || !isLineBreakByte(bytes[firstLineStart - 1])) return undefined;
  // `\r\n` is one break: the previous line ends before its `\r`.
  const prevEnd = bytes[firstLineStart - 1] === 0x0a && bytes[firstLineStart - 2] === 0x0d ? firstLineStart - 2 : firstLineStart - 1;
  let prevStart = prevEnd;
  while (prevStart > 0 && !isLineBreakByte(bytes[prevStart - 1]) && prevEnd - prevStart < LINE_LOOK) prevStart--;
  const next = directiveIn(decode(bytes, prevStart, prevEnd), 'next-line');
  if (next) return { directive: next.name, tool: next.tool, line: startLine - 1 };
  return undefined;
}

/**
 * `findInlineAllow` for every finding of one chunk. Each lookup reads up to 16 KB around its
 * finding; when findings are dense (a long line of assignments) that costs more than one pass over
 * the chunk, so the offsets of all directive keywords are found once and a finding with none
 * nearby is settled without reading its line.
 */
export class InlineAllowFinder {
  private readonly keywords: number[] | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    findings: number,
  ) {
    if (findings * 2 * LINE_LOOK <= bytes.length) return;
    this.keywords = [];
    for (const m of decode(bytes, 0, bytes.length).matchAll(new RegExp(ANY_DIRECTIVE_SOURCE, 'gi'))) this.keywords.push(m.index);
  }

  find(start: number, end: number, startLine: number): InlineAllow | undefined {
    // A directive that can hide [start, end) is on the lines around it, within LINE_LOOK of each.
    if (this.keywords && !someIn(this.keywords, start - 2 * LINE_LOOK - DIRECTIVE_SLACK, end + LINE_LOOK)) return undefined;
    return findInlineAllow(this.bytes, start, end, startLine);
  }
}

/** Whether sorted `values` has one in [from, to]. */
function someIn(values: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < values.length && values[lo]! <= to;
}

/** Convenience for editor buffers and tests: the directive hiding a finding in `text`, if any. */
export function inlineAllowForFinding(text: string | Uint8Array, finding: Pick<Finding, 'byteOffset' | 'byteLength' | 'start'>, chunkBaseByte = 0): InlineAllow | undefined {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const start = finding.byteOffset - chunkBaseByte;
  return findInlineAllow(bytes, start, start + finding.byteLength, finding.start.line);
}

// ---------------------------------------------------------------------------------------------
// Allow-list entries (from configuration) and baselines (content-keyed by fingerprint)

/** One `allow` entry of the configuration, already validated. */
export interface AllowEntry {
  /** Exact secret value (for documented example values that are public anyway). */
  value?: string;
  /** Regular expression (JavaScript syntax) tested against the secret. */
  pattern?: string;
  /** A finding fingerprint: accepts one secret without writing it down. */
  fingerprint?: string;
  /** Only for these rule ids (default: every rule). */
  rules?: string[];
  /** Why it is allowed: shown by `--show-suppressed`. */
  reason?: string;
}

export interface CompiledAllowEntry {
  readonly entry: AllowEntry;
  readonly index: number;
  readonly regex: RegExp | undefined;
}

export class AllowPatternError extends Error {
  constructor(
    readonly index: number,
    detail: string,
  ) {
    super(`allow[${index}].pattern: ${detail}`);
    this.name = 'AllowPatternError';
  }
}

export function compileAllowList(entries: readonly AllowEntry[]): CompiledAllowEntry[] {
  return entries.map((entry, index) => {
    let regex: RegExp | undefined;
    if (entry.pattern !== undefined) {
      try {
        regex = new RegExp(entry.pattern, 'u');
      } catch {
        try {
          regex = new RegExp(entry.pattern);
        } catch (e) {
          throw new AllowPatternError(index, (e as Error).message);
        }
      }
    }
    return { entry, index, regex };
  });
}

/** Whether a stored fingerprint (current, or an earlier version's SHA-256 one) is the finding's. */
function sameFingerprint(stored: string, finding: Pick<Finding, 'ruleId' | 'secret' | 'fingerprint'>): boolean {
  return isLegacyFingerprint(stored) ? stored === legacyFingerprint(finding.ruleId, finding.secret) : stored === finding.fingerprint;
}

/** The first allow entry that accepts the finding, and what matched (`value`, `pattern`, `fingerprint`). */
export function matchAllowList(allow: readonly CompiledAllowEntry[], finding: Pick<Finding, 'ruleId' | 'secret' | 'fingerprint'>): { entry: CompiledAllowEntry; by: 'value' | 'pattern' | 'fingerprint' } | undefined {
  for (const a of allow) {
    const e = a.entry;
    if (e.rules && e.rules.length > 0 && !e.rules.includes(finding.ruleId)) continue;
    if (e.value !== undefined && e.value === finding.secret) return { entry: a, by: 'value' };
    if (e.fingerprint !== undefined && sameFingerprint(e.fingerprint, finding)) return { entry: a, by: 'fingerprint' };
    if (a.regex) {
      a.regex.lastIndex = 0;
      if (a.regex.test(finding.secret)) return { entry: a, by: 'pattern' };
    }
  }
  return undefined;
}

/** One accepted finding in a baseline: never the secret, only its one-way fingerprint. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  /** Where it was when accepted (for people reading the file, and for pruning); not matched on. */
  path: string;
  /** Commit of a history finding, when it came from one. */
  commit?: string;
  note?: string;
}

/**
 * Content-keyed baseline lookup: a finding is baselined when its fingerprint (rule + secret) is in
 * the baseline. Lines and paths are not part of the key, so a moved secret stays hidden and a
 * different secret on an accepted line is still reported. Entries written by earlier versions
 * (SHA-256 fingerprints) still match; `--update-baseline` rewrites them.
 */
export class BaselineIndex {
  private readonly byFingerprint = new Map<string, BaselineEntry>();
  /** Rules with an entry: a finding of another rule is not baselined, and costs no fingerprint. */
  private readonly rules = new Set<string>();
  private readonly hasLegacy: boolean;
  constructor(readonly entries: readonly BaselineEntry[]) {
    for (const e of entries) {
      if (!this.byFingerprint.has(e.fingerprint)) this.byFingerprint.set(e.fingerprint, e);
      this.rules.add(e.ruleId);
    }
    this.hasLegacy = entries.some((e) => isLegacyFingerprint(e.fingerprint));
  }
  lookup(finding: Pick<Finding, 'ruleId' | 'secret' | 'fingerprint'>): BaselineEntry | undefined {
    if (!this.rules.has(finding.ruleId)) return undefined;
    // The cheap legacy hash first: an old baseline's findings then never compute the slow one here.
    const legacy = this.hasLegacy ? this.byFingerprint.get(legacyFingerprint(finding.ruleId, finding.secret)) : undefined;
    return legacy ?? this.byFingerprint.get(finding.fingerprint);
  }
  get size(): number {
    return this.byFingerprint.size;
  }
}

/** Why a finding is hidden: enough to find the comment, baseline entry, allow entry or ignore rule. */
export type SuppressionReason =
  | { kind: 'inline'; directive: string; tool: string; line: number }
  | { kind: 'baseline'; file: string; fingerprint: string; note?: string }
  | { kind: 'allow'; file: string; index: number; by: 'value' | 'pattern' | 'fingerprint' | 'commit'; reason?: string }
  | { kind: 'path'; file: string; pattern: string }
  | { kind: 'gitleaksignore'; file: string; line: number; entry: string };

/** One line of text for a reason, used by every report format. */
export function describeSuppression(r: SuppressionReason): string {
  switch (r.kind) {
    case 'inline':
      return `inline comment "${r.directive}" (${r.tool}) on line ${r.line}`;
    case 'baseline':
      return `baseline ${r.file}${r.note ? ` (note: ${r.note})` : ''}`;
    case 'allow':
      return `config ${r.file} allow[${r.index}] by ${r.by}${r.reason ? ` (${r.reason})` : ''}`;
    case 'path':
      return `path ignore "${r.pattern}" in ${r.file}`;
    case 'gitleaksignore':
      return `gitleaks fingerprint "${r.entry}" in ${r.file}:${r.line}`;
  }
}

/** SARIF `suppressions[].kind`: a comment in the file is `inSource`, everything else `external`. */
export const sarifSuppressionKind = (r: SuppressionReason): 'inSource' | 'external' => (r.kind === 'inline' ? 'inSource' : 'external');

export const meetsConfidence = (c: Confidence, min: Confidence | undefined): boolean => min === undefined || CONFIDENCE_ORDER[c] >= CONFIDENCE_ORDER[min];
