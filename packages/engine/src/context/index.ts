/**
 * The context stage of a scan: runs after the rule patterns matched and before overlapping
 * findings are resolved. It
 * - drops context-only (generic) candidates whose value is a placeholder, reference, hash or word,
 * - decodes values (Basic auth, Kubernetes Secret data, percent-encoding, string escapes), checks
 *   the decoded value and rescans it with every rule, reporting at the encoded text's location,
 * - for JS/TS files that already have a candidate, confirms candidates on the syntax tree and adds
 *   literals that reach a secret sink through an identifier.
 * Behaviour is chosen by rule tags (rules/generic-*.yaml), so rules stay data.
 */
import { Buffer } from 'node:buffer';
import type { CompiledRule, CompiledRules } from '../compile.js';
import { scanBytes, utf16Length } from '../scan.js';
import type { Origin } from '../types.js';
import { decodeBasicAuth, decodeBase64Text, decodeEscapes, decodePercent } from './decode.js';
import { analyzeJs, JS_PATH, type JsAnalysis } from './js-ast.js';
import { YamlDocuments } from './kubernetes.js';
import { nameMeansSecret } from './names.js';
import { rejectGenericValue, rejectObviousPlaceholder, type ValueKind } from './values.js';

export { rejectGenericValue, rejectPlaceholder, rejectObviousPlaceholder, type ValueKind } from './values.js';
export { nameMeansSecret, headerMeansSecret, splitWords } from './names.js';
export { decodeBase64Text, decodeBasicAuth, decodeEscapes, decodePercent } from './decode.js';

/** Same shape as scan.ts's raw match: chunk-relative byte offsets. */
export interface ContextMatch {
  rule: CompiledRule;
  matchStart: number;
  start: number;
  end: number;
  secret: string;
}

interface RuleContext {
  /** Any context handling at all (false: the match passes through untouched). */
  active: boolean;
  generic: boolean;
  password: boolean;
  url: boolean;
  basic: boolean;
  kubernetes: boolean;
  jsReference: boolean;
  assignment: boolean;
  /** Provider format without a checksum: only obvious placeholders are dropped. */
  placeholderOnly: boolean;
}

const CONTEXT = new WeakMap<CompiledRule, RuleContext>();

function contextOf(rule: CompiledRule): RuleContext {
  let c = CONTEXT.get(rule);
  if (c) return c;
  const tags = new Set(rule.def.tags ?? []);
  const generic = tags.has('generic') || rule.confidence === 'low';
  const placeholderOnly = !generic && rule.confidence === 'medium' && !rule.checksum;
  c = {
    generic,
    password: tags.has('password'),
    url: tags.has('url'),
    basic: tags.has('decode-basic'),
    kubernetes: tags.has('kubernetes-secret'),
    jsReference: tags.has('js-reference'),
    assignment: tags.has('assignment'),
    placeholderOnly,
    active: generic || placeholderOnly,
  };
  CONTEXT.set(rule, c);
  return c;
}

const CHECKSUM_PREFIXES = new WeakMap<CompiledRules, string[]>();

/**
 * A value that starts like a checksummed provider token (ghp_…) but was not reported by that rule
 * failed its checksum: it is a look-alike, not a generic secret.
 */
function failedProviderChecksum(compiled: CompiledRules, value: string): boolean {
  let prefixes = CHECKSUM_PREFIXES.get(compiled);
  if (!prefixes) {
    prefixes = compiled.rules.filter((r) => r.checksum).flatMap((r) => r.def.keywords.filter((k) => k.length >= 3));
    CHECKSUM_PREFIXES.set(compiled, prefixes);
  }
  for (const p of prefixes) if (value.startsWith(p)) return true;
  return false;
}

/** Files larger than this keep the lexical verdict: parsing them would cost more than the scan. */
/** Hand-written source files are parsed to confirm candidates; larger JS/TS files are bundles or
 * generated code, where a parse costs hundreds of milliseconds and the lexical verdict stands. */
export const MAX_AST_BYTES = 64 * 1024;
const DECODED_ORIGIN: Origin = { path: '<decoded>', kind: 'decoded' };
let decodeDepth = 0;

/** Rescans a decoded value with every rule; findings are moved onto the encoded span. */
function rescanDecoded(compiled: CompiledRules, decoded: string, at: ContextMatch, out: ContextMatch[]): void {
  if (decodeDepth >= 2 || decoded.length === 0) return;
  decodeDepth++;
  try {
    for (const f of scanBytes(compiled, Buffer.from(decoded, 'utf8'), DECODED_ORIGIN)) {
      const rule = compiled.byId.get(f.ruleId);
      if (rule) out.push({ rule, matchStart: at.matchStart, start: at.start, end: at.end, secret: f.secret });
    }
  } finally {
    decodeDepth--;
  }
}

/** The text of the line around `at`, at most 200 bytes each side (never the whole of a long line:
 * this runs once per candidate, and a minified line can hold thousands). */
function lineAround(buf: Buffer, at: number): string {
  const from = Math.max(0, at - 200);
  const to = Math.min(buf.length, at + 200);
  let s = at;
  while (s > from && buf[s - 1] !== 10) s--;
  let e = at;
  while (e < to && buf[e] !== 10) e++;
  return buf.toString('latin1', s, e);
}

const isQuote = (b: number | undefined) => b === 0x22 || b === 0x27 || b === 0x60;
const JS_IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const SEPARATOR_BEFORE = /[:=]\s*$/;

const isNameByte = (b: number) =>
  (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95 || b === 46 || b === 45 || b === 36;

/** The whole identifier/key around a keyword hit (`GITHUB_TOKEN`, `config.clientSecret`). */
function nameAt(buf: Buffer, at: number): string {
  let s = at;
  while (s > 0 && at - s < 64 && isNameByte(buf[s - 1]!)) s--;
  let e = at;
  while (e < buf.length && e - at < 64 && isNameByte(buf[e]!)) e++;
  return buf.toString('latin1', s, e);
}

function kindOf(ctx: RuleContext, name: string): ValueKind {
  return ctx.password || /pass|pwd/i.test(name) ? 'password' : 'token';
}

/**
 * `NAME = '…'` (a type annotation may stand between) somewhere in the file, with a value that could
 * pass as a secret. Without one the syntax tree cannot resolve NAME to a reportable literal, so
 * parsing the file (and loading TypeScript) would change nothing: most `Bearer ${token}` in
 * libraries pass a parameter along.
 */
function hasSecretLiteralBinding(latin: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  const binding = new RegExp(`(?<![\\w$])${escaped}\\s*(?::[^=;\\n]{1,80})?=\\s*(["'\`])((?:(?!\\1)[^\\\\\\n]|\\\\.){0,1024})\\1`, 'g');
  for (const m of latin.matchAll(binding)) {
    const value = m[2]!;
    if (!rejectGenericValue(value, 'token') || !rejectGenericValue(value, 'password')) return true;
  }
  return false;
}

/** Applies context rules to one chunk's raw matches. Pure; cheap when no context rule matched. */
export function applyContext(compiled: CompiledRules, buf: Buffer, origin: Origin, raw: ContextMatch[]): ContextMatch[] {
  let active = false;
  for (const m of raw) {
    if (contextOf(m.rule).active) {
      active = true;
      break;
    }
  }
  if (!active) return raw;
  const jsPath = JS_PATH.test(origin.path);
  const isJs = jsPath && buf.length <= MAX_AST_BYTES;
  const out: ContextMatch[] = [];
  const astChecked: ContextMatch[] = [];
  const jsReferences: ContextMatch[] = [];
  /** Start offsets of the Secret values already reported, and the documents already read. */
  const kubernetesValues = new Set<number>();
  const kubernetesDocsRead = new Set<number>();
  let yamlDocs: YamlDocuments | undefined;
  let latin: string | undefined;
  for (const m of raw) {
    const ctx = contextOf(m.rule);
    if (!ctx.active) {
      out.push(m);
      continue;
    }
    if (ctx.placeholderOnly) {
      if (!rejectObviousPlaceholder(m.secret)) out.push(m);
      continue;
    }
    if (ctx.kubernetes) {
      latin ??= buf.toString('latin1');
      yamlDocs ??= new YamlDocuments(latin);
      // A document is read once, however many `kind: Secret` lines it holds.
      const doc = yamlDocs.indexAt(m.start);
      if (kubernetesDocsRead.has(doc)) continue;
      kubernetesDocsRead.add(doc);
      for (const v of yamlDocs.secretValues(doc)) {
        kubernetesValues.add(v.start);
        const decoded = v.base64 ? decodeBase64Text(v.value) : buf.toString('utf8', v.start, v.end);
        if (decoded === undefined) continue;
        const at: ContextMatch = { rule: m.rule, matchStart: v.start, start: v.start, end: v.end, secret: decoded.trim() };
        rescanDecoded(compiled, decoded, at, out);
        if (!/[\r\n]/.test(at.secret) && !rejectGenericValue(at.secret, kindOf(ctx, v.key))) out.push(at);
      }
      continue;
    }
    if (ctx.jsReference) {
      latin ??= buf.toString('latin1');
      if (isJs && hasSecretLiteralBinding(latin, m.secret)) jsReferences.push(m);
      continue;
    }
    const name = buf.toString('latin1', m.matchStart, m.start);
    // The regex finds the secret word; the whole name decides (nextToken, tokenizer, mytoken: no).
    if (ctx.assignment && !nameMeansSecret(nameAt(buf, m.matchStart))) continue;
    // In JS/TS an unquoted value is an identifier or an expression: a reference, never a literal.
    if (ctx.assignment && jsPath && !isQuote(buf[m.start - 1])) continue;
    // Likewise a bare identifier right after `:` or `=` (`'Authorization': type1msg`).
    if (jsPath && !isQuote(buf[m.start - 1]) && JS_IDENTIFIER.test(m.secret) && SEPARATOR_BEFORE.test(buf.toString('latin1', Math.max(m.matchStart, m.start - 8), m.start))) continue;
    if (ctx.basic) {
      const basic = decodeBasicAuth(m.secret);
      if (!basic) continue;
      const at = { ...m, secret: basic.password };
      rescanDecoded(compiled, basic.password, at, out);
      if (!rejectGenericValue(basic.password, 'password')) out.push(at);
      continue;
    }
    let secret = m.secret;
    const decoded = (ctx.url ? decodePercent(secret) : undefined) ?? decodeEscapes(secret);
    if (decoded !== undefined) {
      secret = decoded;
      rescanDecoded(compiled, decoded, m, out);
    }
    if (rejectGenericValue(secret, kindOf(ctx, name), lineAround(buf, m.start))) continue;
    if (failedProviderChecksum(compiled, secret)) continue;
    const kept = secret === m.secret ? m : { ...m, secret };
    out.push(kept);
    if (ctx.assignment && isJs) astChecked.push(kept);
  }
  if (kubernetesValues.size > 0) {
    // Inside a Secret manifest the decoded value has been judged: the raw base64 text is not judged again.
    for (let i = out.length - 1; i >= 0; i--) {
      const c = contextOf(out[i]!.rule);
      if (c.generic && !c.kubernetes && kubernetesValues.has(out[i]!.start)) out.splice(i, 1);
    }
  }
  if (astChecked.length === 0 && jsReferences.length === 0) return preferSpecific(out);
  const analysis = analyzeJs(buf.toString('utf8'), origin.path);
  // Unparseable code: assignment candidates keep their lexical verdict; references stay unresolved.
  if (!analysis) return preferSpecific(out);
  return preferSpecific(confirmOnSyntaxTree(buf, analysis, out, new Set(astChecked), jsReferences));
}

/** Among generic rules, the one that knows most about a span reports it (a header over an assignment). */
function specificity(c: RuleContext): number {
  return c.kubernetes ? 5 : c.basic ? 4 : c.url ? 3 : c.jsReference ? 2 : c.assignment ? 0 : 1;
}

function preferSpecific(matches: ContextMatch[]): ContextMatch[] {
  const generic = matches.filter((m) => contextOf(m.rule).generic);
  if (generic.length < 2) return matches;
  generic.sort((a, b) => a.start - b.start);
  const drop = new Set<ContextMatch>();
  for (let i = 0; i < generic.length; i++) {
    const a = generic[i]!;
    for (let j = i + 1; j < generic.length && generic[j]!.start < a.end; j++) {
      const b = generic[j]!;
      const sa = specificity(contextOf(a.rule));
      const sb = specificity(contextOf(b.rule));
      // Overlapping generic spans: the rule that knows the syntax (header, URL) wins; a tie keeps one.
      if (sa > sb) drop.add(b);
      else if (sb > sa) drop.add(a);
      else if (a.start === b.start && a.end === b.end) drop.add(b);
    }
  }
  return drop.size ? matches.filter((m) => !drop.has(m)) : matches;
}

function confirmOnSyntaxTree(buf: Buffer, analysis: JsAnalysis, matches: ContextMatch[], checked: Set<ContextMatch>, references: ContextMatch[]): ContextMatch[] {
  const text = buf.toString('utf8');
  const ascii = text.length === buf.length;
  const toIndex = (byte: number) => (ascii ? byte : utf16Length(buf, 0, byte));
  const toByte = (index: number) => (ascii ? index : Buffer.byteLength(text.slice(0, index)));
  const inside = (s: number, e: number, ranges: Iterable<{ start: number; end: number } | [number, number]>) => {
    for (const r of ranges) {
      const [rs, re] = Array.isArray(r) ? r : [r.start, r.end];
      if (s >= rs && e <= re) return true;
    }
    return false;
  };
  const out = matches.filter((m) => {
    if (!checked.has(m)) return true;
    const s = toIndex(m.start);
    const e = toIndex(m.end);
    // A secret in a comment is still a leak; elsewhere the syntax tree has the final word.
    return inside(s, e, analysis.literals) || inside(s, e, analysis.comments);
  });
  if (references.length === 0) return out;
  // Literals reached through an identifier used in an Authorization/secret-header value.
  const rule = references[0]!.rule;
  const taken = out.map((m) => [m.start, m.end] as [number, number]);
  for (const lit of analysis.literals) {
    if (!lit.resolved) continue;
    const start = toByte(lit.start);
    const end = toByte(lit.end);
    if (taken.some(([s, e]) => start < e && end > s)) continue;
    if (rejectGenericValue(lit.value, kindOf(contextOf(rule), lit.name))) continue;
    taken.push([start, end]);
    out.push({ rule, matchStart: start, start, end, secret: lit.value });
  }
  return out;
}
