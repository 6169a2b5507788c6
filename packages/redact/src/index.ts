import { Buffer } from 'node:buffer';
import type { Transform } from 'node:stream';
import { compileRules, utf16Length, type CompiledRules, type RuleDefinition } from '@tokenward/engine';
import { checkRulePatterns, defaultRulesDir, loadRuleDefinitions } from '@tokenward/project';
import { applySpans, maskedSecret, spansToMask, type MaskedSecret, type MaskStyle } from './masker.js';
import { createRedactStream, LineRedactor, type LineRedactorOptions } from './stream.js';

export { LineRedactor, createRedactStream, type LineRedactorOptions } from './stream.js';
export { spansToMask, applySpans, maskedSecret, type MaskedSecret, type MaskStyle } from './masker.js';

export interface RedactorOptions {
  /** Rules to use instead of the built-in `rules/`: compiled, or definitions. Definitions made
   * in code are checked as rule files are: a pattern with super-linear backtracking throws. */
  rules?: CompiledRules | readonly RuleDefinition[];
  /** Rules added to the built-in ones: rule files or folders (YAML/JSON, or a .gitleaks.toml), or definitions. */
  extraRules?: readonly (string | RuleDefinition)[];
  /** `partial` (default): the report's form, `ghp_****…4Tq1`; `full`: `****`. */
  mask?: MaskStyle;
  /** Called for every masked secret with its rule id and fingerprint only. Without it no
   * fingerprint is computed (each is a scrypt). */
  onMasked?: (masked: MaskedSecret) => void;
  /** Streams: a line longer than this is written in pieces (default 1 MiB). */
  maxLineBytes?: number;
}

/** `redact(text)` masks every secret in a string; `.stream()` does the same to a byte stream. */
export interface Redactor {
  (text: string): string;
  /** A Node Transform (bytes in, bytes out), line by line, bounded memory. */
  stream(): Transform & { redactor: LineRedactor };
  /** Masks one buffer (a whole text: no streaming state). */
  buffer(bytes: Uint8Array): Buffer;
  readonly compiled: CompiledRules;
}

const isCompiled = (r: RedactorOptions['rules']): r is CompiledRules => r !== undefined && !Array.isArray(r) && 'prefilter' in (r as object);

let builtIn: CompiledRules | undefined;

/** The rule set `tokenward scan` loads by default: every file of the built-in `rules/` folder. */
export function builtInRules(): CompiledRules {
  builtIn ??= compileRules(loadRuleDefinitions([defaultRulesDir()]));
  return builtIn;
}

/**
 * The rules a redactor runs. Definitions made in code meet the bar rule files meet (a pattern
 * with super-linear backtracking is refused): a log line anyone can write must not hang the
 * program that logs it.
 */
function rulesFor(options: RedactorOptions): CompiledRules {
  const extra = options.extraRules ?? [];
  const defs = extra.filter((e): e is RuleDefinition => typeof e !== 'string');
  checkRulePatterns(isCompiled(options.rules) ? options.rules.rules.map((r) => r.def) : (options.rules ?? []), 'createRedactor: rules');
  checkRulePatterns(defs, 'createRedactor: extraRules');
  if (isCompiled(options.rules) && extra.length === 0) return options.rules;
  if (options.rules === undefined && extra.length === 0) return builtInRules();
  const base: RuleDefinition[] = isCompiled(options.rules)
    ? options.rules.rules.map((r) => r.def)
    : options.rules
      ? [...options.rules]
      : loadRuleDefinitions([defaultRulesDir()]);
  const paths = extra.filter((e): e is string => typeof e === 'string');
  return compileRules([...base, ...(paths.length ? loadRuleDefinitions(paths) : []), ...defs]);
}

/**
 * Creates a redactor with the scanner's detectors: anything `tokenward scan` would report is
 * masked the way reports mask it; everything else is returned unchanged.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const compiled = rulesFor(options);
  const style = options.mask ?? 'partial';
  const onMasked = options.onMasked;
  const origin = { path: '<log>', kind: 'log' };
  const maskBuffer = (buf: Buffer): { out: Buffer; spans: ReturnType<typeof spansToMask> } => {
    const spans = spansToMask(compiled, buf, 0, style, origin);
    if (onMasked) for (const s of spans) onMasked(maskedSecret(s));
    return { out: spans.length ? applySpans(buf, 0, buf.length, spans) : buf, spans };
  };
  const redactString = (text: string): string => {
    if (typeof text !== 'string' || text.length === 0) return text;
    const buf = Buffer.from(text, 'utf8');
    const spans = spansToMask(compiled, buf, 0, style, origin);
    if (spans.length === 0) return text;
    // Splice the original string (UTF-16 offsets from byte offsets), so anything UTF-8 cannot
    // carry (a lone surrogate) outside the masked spans is kept as it was.
    let out = '';
    let at = 0;
    let atByte = 0;
    for (const s of spans) {
      onMasked?.(maskedSecret(s));
      const start = at + utf16Length(buf, atByte, s.start);
      out += text.slice(at, start) + s.mask;
      at = start + utf16Length(buf, s.start, s.end);
      atByte = s.end;
    }
    return out + text.slice(at);
  };
  const streamOptions: LineRedactorOptions = { mask: style, onMasked: options.onMasked, maxLineBytes: options.maxLineBytes };
  return Object.assign(redactString, {
    stream: () => createRedactStream(compiled, streamOptions),
    buffer: (bytes: Uint8Array) => maskBuffer(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).out,
    compiled,
  });
}

/**
 * pino: `pino({ hooks: { streamWrite: pinoStreamWrite() } })`. pino hands each serialized line to
 * the hook before writing it, so secrets in messages and in any field are masked.
 */
export function pinoStreamWrite(options: RedactorOptions | Redactor = {}): (line: string) => string {
  const redactor = typeof options === 'function' ? options : createRedactor(options);
  return (line) => redactor(line);
}

/** winston's `info[MESSAGE]` symbol (`Symbol.for('message')`, as triple-beam defines it). */
const MESSAGE = Symbol.for('message');

/** A winston format object: anything with `transform(info)` (what `winston.format.combine` takes). */
export interface RedactFormat {
  transform(info: Record<string | symbol, unknown>): Record<string | symbol, unknown>;
}

/**
 * winston: `format: winston.format.combine(winston.format.json(), redactFormat())`. Masks the
 * serialized line (`info[MESSAGE]`) and the string fields of `info` (message and metadata), so
 * transports that format on their own are covered too.
 */
export function redactFormat(options: RedactorOptions | Redactor = {}): RedactFormat {
  const redactor = typeof options === 'function' ? options : createRedactor(options);
  const deep = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactor(v);
    if (depth > 8 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = deep(v[i], depth + 1);
      return v;
    }
    if (v instanceof Error) {
      v.message = redactor(v.message);
      if (v.stack) v.stack = redactor(v.stack);
      return v;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    for (const k of Object.keys(v)) (v as Record<string, unknown>)[k] = deep((v as Record<string, unknown>)[k], depth + 1);
    return v;
  };
  return {
    transform(info) {
      for (const k of Object.keys(info)) info[k] = deep(info[k], 0);
      const line = info[MESSAGE];
      if (typeof line === 'string') info[MESSAGE] = redactor(line);
      return info;
    },
  };
}
