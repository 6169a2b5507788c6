import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import type { Document, LineCounter } from 'yaml';
import { compileRule, RuleCompileError } from './compile.js';
import { ruleFileSchema } from './rule-schema.js';
import { RuleFileError, type RuleDefinition, type RuleExample } from './types.js';

// yaml and ajv (~160 module files) load on first use: a run served from the rules cache
// (pre-commit, editor start) never parses a rule file, and their loading was half its start-up.
const load = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlModule ??= load('yaml') as typeof import('yaml'));

let validateFile: ValidateFunction | undefined;

function validator() {
  validateFile ??= new (load('ajv') as typeof import('ajv')).Ajv({ allErrors: false, strict: false }).compile(ruleFileSchema);
  return validateFile;
}

/** A rule file as written: the type of what the schema validates. */
type RawRuleFile = FromSchema<typeof ruleFileSchema>;

/** 1-based line of the YAML node at `path` (or of its nearest existing parent). Shared with config files. */
export function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  // Walk up until a node with a source range exists (a missing field has none: use its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (yaml().isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** An ajv error as the path of the offending key and a short sentence. Shared with config files. */
export function describeAjvError(err: ErrorObject): { path: (string | number)[]; field: string; detail: string } {
  const path = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/~1/g, '/').replace(/~0/g, '~')));
  let fieldPath = path;
  let detail = err.message ?? 'is invalid';
  if (err.keyword === 'required') {
    const missing = (err.params as { missingProperty: string }).missingProperty;
    fieldPath = [...path, missing];
    detail = 'is required';
  } else if (err.keyword === 'additionalProperties') {
    const extra = (err.params as { additionalProperty: string }).additionalProperty;
    fieldPath = [...path, extra];
    detail = 'is not a known field';
  } else if (err.keyword === 'enum') {
    detail = `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  // Field name relative to the rule: rules/3/validators/entropy → validators.entropy
  const inRule = fieldPath[0] === 'rules' && typeof fieldPath[1] === 'number' ? fieldPath.slice(2) : fieldPath;
  return { path: fieldPath.filter((_, i) => i < fieldPath.length), field: inRule.join('.') || '(file)', detail };
}

type RawExample = RawRuleFile['rules'][number]['examples']['positive'][number];
const normalizeExample = (e: RawExample): RuleExample => (typeof e === 'string' ? { text: e } : 'base64' in e ? { text: e.base64, encoding: 'base64' } : e);

/** Why a pattern must not run (say, super-linear backtracking), or undefined when it may. */
export type PatternCheck = (pattern: string, flags: string) => string | undefined;

export interface ParseRuleFileOptions {
  /** Run on every regex of every rule (pattern, pair pattern, allow patterns); a reason refuses the file. */
  checkPattern?: PatternCheck;
}

/** Every regex a rule runs over scanned text, with the path of its field. */
export function rulePatterns(def: RuleDefinition): Array<{ path: (string | number)[]; pattern: string; flags: string }> {
  return [
    { path: ['pattern'], pattern: def.pattern, flags: def.flags ?? '' },
    ...(def.pair ? [{ path: ['pair', 'pattern'], pattern: def.pair.pattern, flags: def.pair.flags ?? '' }] : []),
    ...(def.allow ?? []).flatMap((a, i) => (a.patterns ?? []).map((pattern, j) => ({ path: ['allow', i, 'patterns', j], pattern, flags: a.flags ?? '' }))),
  ];
}

/**
 * Parses and validates one rule file (YAML or JSON text). Throws a `RuleFileError` naming the
 * file, line, rule id and field of the first problem. Pure: the caller reads the file (and brings
 * the pattern check, which the engine does not carry).
 */
export function parseRuleFile(text: string, file: string, options: ParseRuleFileOptions = {}): RuleDefinition[] {
  const counter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line ?? counter.linePos(err.pos[0]).line;
    throw new RuleFileError(file, `invalid YAML: ${err.message.split('\n')[0]}`, line);
  }
  const data: RawRuleFile = doc.toJS();
  const validate = validator();
  if (!validate(data)) {
    const { path, field, detail } = describeAjvError(validate.errors![0]!);
    const ruleIndex = path[0] === 'rules' && typeof path[1] === 'number' ? path[1] : undefined;
    const rules = (data as { rules?: unknown[] }).rules;
    const ruleId = ruleIndex !== undefined ? (rules?.[ruleIndex] as { id?: unknown } | undefined)?.id : undefined;
    throw new RuleFileError(file, detail, lineOf(doc, counter, path), typeof ruleId === 'string' ? ruleId : undefined, field);
  }
  return data.rules.map((raw, i) => {
    const def: RuleDefinition = {
      ...raw,
      provider: raw.provider ?? data.provider,
      // Detector rules have neither (the schema allows them only together, or not at all).
      keywords: raw.keywords ?? [],
      pattern: raw.pattern ?? '',
      examples: {
        positive: raw.examples.positive.map(normalizeExample),
        negative: raw.examples.negative.map(normalizeExample),
      },
      source: { file, line: lineOf(doc, counter, ['rules', i]) },
    };
    // Compile once here so a bad pattern, group or checksum is reported with its line.
    try {
      compileRule(def, i);
    } catch (e) {
      if (e instanceof RuleCompileError) {
        const fieldPath = ['rules', i, ...e.field.split('.')];
        throw new RuleFileError(file, e.message.replace(/^.*field "[^"]+": /, ''), lineOf(doc, counter, fieldPath), def.id, e.field);
      }
      throw e;
    }
    if (options.checkPattern) {
      for (const { path, pattern, flags } of rulePatterns(def)) {
        const reason = options.checkPattern(pattern, flags.replace(/[gyd]/g, ''));
        if (reason) throw new RuleFileError(file, reason, lineOf(doc, counter, ['rules', i, ...path]), def.id, path.join('.'));
      }
    }
    return def;
  });
}
