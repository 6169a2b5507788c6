import { CHECKSUMS, type ChecksumFn } from './checksums.js';
import { compilePrefilter, type Prefilter } from './prefilter.js';
import { compilePair, DEFAULT_PAIR_WINDOW, PairCompileError } from './pairing.js';
import { AllowCompileError, compileRuleAllow } from './rule-allow.js';
import type { Confidence, RuleDefinition } from './types.js';
import { CONTEXT_HANDLER_NAMES, type ContextHandlerName } from './context/handler-names.js';
import { KEY_STORE_DETECTORS } from './key-stores.js';

/** Bytes of extra context decoded before a window so look-behinds see the real preceding text. */
export const LOOKBEHIND_CONTEXT = 16;
const DEFAULT_BEFORE = 0;
const DEFAULT_AFTER = 256;

export interface CompiledRule {
  readonly def: RuleDefinition;
  readonly index: number;
  /** Global + hasIndices copy of the rule pattern. */
  readonly regex: RegExp;
  /** Group number, or group name, of the secret; 0 = whole match. */
  readonly secretGroup: number | string;
  readonly before: number;
  readonly after: number;
  readonly confidence: Confidence;
  readonly minLength: number;
  readonly maxLength: number;
  readonly charset: RegExp | undefined;
  readonly checksum: ChecksumFn | undefined;
  readonly entropy: number;
  /** Keywords (as written) the secret may start with, longest first: kept visible when redacting. */
  readonly visiblePrefixes: readonly string[];
  /** Context handler of a generic rule (see context/handler-names.ts). */
  readonly context: ContextHandlerName | undefined;
}

export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  readonly prefilter: Prefilter;
  /** keyword index → indexes of the rules that listed it. */
  readonly keywordRules: readonly (readonly number[])[];
  /** Largest before+after window of any rule: how much two stream chunks must overlap. */
  readonly maxWindow: number;
  /** How far past a match the text can still change what is reported there: a rule's keyword up
   * to its `before` bytes later claims the match, a partner up to the pair window later joins it.
   * A stream holds a match back until it has seen this much more (or the end). */
  readonly maxLookahead: number;
  readonly byId: ReadonlyMap<string, CompiledRule>;
}

export class RuleCompileError extends Error {
  constructor(
    readonly ruleId: string,
    readonly field: string,
    detail: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}rule "${ruleId}" field "${field}": ${detail}`);
    this.name = 'RuleCompileError';
  }
}

/**
 * Capturing groups of a pattern that already compiled, counted from its source: `(` not followed by
 * `?`, and named groups `(?<name>`, outside character classes and escapes. (Running the pattern
 * to learn the count would compile every rule's regex at start-up, most of which a short run never
 * uses; rule flags exclude `v`, so classes do not nest.)
 */
export function countGroups(source: string): number {
  let groups = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') {
      if (source[i + 1] !== '?') groups++;
      else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') groups++;
    }
  }
  return groups;
}

export function compileRule(def: RuleDefinition, index: number): CompiledRule {
  const file = def.source?.file;
  const extraFlags = (def.flags ?? '').replace(/[gyd]/g, '');
  let regex: RegExp;
  try {
    regex = new RegExp(def.pattern, `${extraFlags}gd`);
  } catch (e) {
    throw new RuleCompileError(def.id, 'pattern', (e as Error).message, file);
  }
  const groups = countGroups(def.pattern);
  let secretGroup: number | string;
  if (def.secretGroup !== undefined) {
    secretGroup = def.secretGroup;
    if (typeof secretGroup === 'number' && secretGroup > groups) {
      throw new RuleCompileError(def.id, 'secretGroup', `group ${secretGroup} does not exist (pattern has ${groups})`, file);
    }
    if (typeof secretGroup === 'string' && !def.pattern.includes(`(?<${secretGroup}>`)) {
      throw new RuleCompileError(def.id, 'secretGroup', `named group "${secretGroup}" does not exist`, file);
    }
  } else if (def.pattern.includes('(?<secret>')) {
    secretGroup = 'secret';
  } else {
    secretGroup = groups > 0 ? 1 : 0;
  }
  const v = def.validators ?? {};
  let checksum: ChecksumFn | undefined;
  if (v.checksum !== undefined) {
    checksum = CHECKSUMS[v.checksum];
    if (!checksum) {
      throw new RuleCompileError(def.id, 'validators.checksum', `unknown checksum "${v.checksum}" (known: ${Object.keys(CHECKSUMS).join(', ')})`, file);
    }
  }
  let charset: RegExp | undefined;
  if (v.charset !== undefined) {
    try {
      charset = new RegExp(`^[${v.charset}]*$`);
    } catch (e) {
      throw new RuleCompileError(def.id, 'validators.charset', (e as Error).message, file);
    }
  }
  if (def.context !== undefined && !(CONTEXT_HANDLER_NAMES as readonly string[]).includes(def.context)) {
    throw new RuleCompileError(def.id, 'context', `unknown context handler "${def.context}" (known: ${CONTEXT_HANDLER_NAMES.join(', ')})`, file);
  }
  if (def.detector !== undefined && !(KEY_STORE_DETECTORS as readonly string[]).includes(def.detector)) {
    throw new RuleCompileError(def.id, 'detector', `unknown detector "${def.detector}" (known: ${KEY_STORE_DETECTORS.join(', ')})`, file);
  }
  // A detector rule recognises whole files by structure: it has no keywords, so it never gets a window.
  if (def.keywords.length === 0 && def.detector === undefined) throw new RuleCompileError(def.id, 'keywords', 'at least one keyword is required', file);
  if (def.pair) {
    try {
      compilePair(def.pair);
    } catch (e) {
      if (e instanceof PairCompileError) throw new RuleCompileError(def.id, e.field, e.message, file);
      throw e;
    }
  }
  if (def.allow) {
    try {
      compileRuleAllow(def.allow);
    } catch (e) {
      if (e instanceof AllowCompileError) throw new RuleCompileError(def.id, e.field, e.message, file);
      throw e;
    }
  }
  return {
    def,
    index,
    regex,
    secretGroup,
    before: def.window?.before ?? DEFAULT_BEFORE,
    after: def.window?.after ?? DEFAULT_AFTER,
    confidence: def.confidence ?? (def.context ? 'low' : checksum ? 'high' : 'medium'),
    minLength: v.length?.min ?? 0,
    maxLength: v.length?.max ?? Number.MAX_SAFE_INTEGER,
    charset,
    checksum,
    entropy: v.entropy ?? 0,
    visiblePrefixes: [...def.keywords].sort((a, b) => b.length - a.length),
    context: def.context,
  };
}

/** Compiles every rule once into a single keyword prefilter plus per-rule exact patterns. */
export function compileRules(defs: readonly RuleDefinition[]): CompiledRules {
  const seen = new Set<string>();
  const rules = defs.map((def, i) => {
    if (seen.has(def.id)) throw new RuleCompileError(def.id, 'id', 'duplicate rule id', def.source?.file);
    seen.add(def.id);
    return compileRule(def, i);
  });
  // Keywords are matched case-insensitively, so share one prefilter entry per folded keyword.
  const keywordIndex = new Map<string, number>();
  const keywords: string[] = [];
  const keywordRules: number[][] = [];
  for (const rule of rules) {
    for (const kw of rule.def.keywords) {
      const folded = kw.toLowerCase();
      let k = keywordIndex.get(folded);
      if (k === undefined) {
        k = keywords.length;
        keywordIndex.set(folded, k);
        keywords.push(folded);
        keywordRules.push([]);
      }
      if (!keywordRules[k]!.includes(rule.index)) keywordRules[k]!.push(rule.index);
    }
  }
  const maxWindow = rules.reduce((m, r) => Math.max(m, r.before + r.after), 0) + 256;
  const maxLookahead = rules.reduce((m, r) => Math.max(m, r.before, r.def.pair ? (r.def.pair.window?.after ?? DEFAULT_PAIR_WINDOW) : 0), 0) + 256;
  return {
    rules,
    prefilter: compilePrefilter(keywords),
    keywordRules,
    maxWindow,
    maxLookahead,
    byId: new Map(rules.map((r) => [r.def.id, r])),
  };
}
