/**
 * The context stage of a scan: runs after the rule patterns matched and before overlapping
 * findings are resolved. A generic rule names its handler in its `context` field; the handler
 * - extracts the candidate value by syntax (key/value pairs, headers, URLs: candidates/),
 * - decodes it (Basic auth, Kubernetes Secret data, percent-encoding, string escapes) and rescans
 *   the decoded text with every rule, reporting at the encoded text's location,
 * - scores it (scoring/score.ts) into a confidence, or drops it,
 * - for JS/TS files that already have a candidate, confirms candidates on the syntax tree and adds
 *   literals that reach a secret sink through an identifier.
 * Provider rules without a checksum only lose obvious placeholders here.
 */
import { Buffer } from 'node:buffer';
import type { CompiledRule, CompiledRules } from '../compile.js';
import { scanBytes, utf16Length } from '../scan.js';
import type { Confidence, Origin } from '../types.js';
import { extractAssignment } from '../candidates/assignment.js';
import { inspectJwt, jwkPrivateMember } from '../candidates/jwt.js';
import { fileKindOf, isTestPath, type FileKind } from '../candidates/file-kind.js';
import { scoreValue, type ScoreInput } from '../scoring/score.js';
import { decodeBase64Text, decodeEscapes } from './decode.js';
import { authorizationCredential, basicCredentials, decodePercentDeep, isImageUrlQuery } from '../candidates/headers-urls.js';
import type { ContextHandlerName } from './handler-names.js';
import { analyzeJs, JS_PATH, type JsAnalysis } from './js-ast.js';
import { YamlDocuments } from './kubernetes.js';
import { secretKeyKind } from './names.js';
import { rejectGenericValue, rejectObviousPlaceholder, type ValueKind } from './values.js';

export { rejectGenericValue, rejectPlaceholder, rejectObviousPlaceholder, type ValueKind } from './values.js';
export { nameMeansSecret, headerMeansSecret, splitWords, secretKeyKind, type KeyKind } from './names.js';
export { decodeBase64Text, decodeBasicAuth, decodeEscapes, decodePercent } from './decode.js';
export { CONTEXT_HANDLER_NAMES, type ContextHandlerName } from './handler-names.js';

/** Same shape as scan.ts's raw match: chunk-relative byte offsets. */
export interface ContextMatch {
  rule: CompiledRule;
  matchStart: number;
  start: number;
  end: number;
  secret: string;
  /** Set by a handler: this finding's confidence (else the rule's). */
  confidence?: Confidence;
}

/** What every handler of one chunk shares. */
interface Chunk {
  compiled: CompiledRules;
  buf: Buffer;
  origin: Origin;
  fileKind: FileKind;
  testPath: boolean;
  /** A JS/TS path, and small enough to parse. */
  jsPath: boolean;
  isJs: boolean;
  latin(): string;
  /** Assignment candidates to confirm on the JS/TS syntax tree. */
  astChecked: ContextMatch[];
  jsReferences: ContextMatch[];
  /** Start offsets of the Secret values already reported. */
  kubernetesDocs: Set<number>;
  /** YAML documents of the chunk, found once; and those whose Secret data was already read. */
  yamlDocs?: YamlDocuments;
  yamlDocsRead: Set<number>;
  out: ContextMatch[];
}

interface ContextHandler {
  /** Among overlapping generic findings, the handler that knows most about the syntax wins. */
  specificity: number;
  apply(m: ContextMatch, chunk: Chunk): void;
}

const CHECKSUM_PREFIXES = new WeakMap<CompiledRules, string[]>();

/** A value starting like a provider token (ghp_…, hf_…): never a generic finding. */
function startsLikeProviderToken(compiled: CompiledRules, value: string): boolean {
  let prefixes = CHECKSUM_PREFIXES.get(compiled);
  if (!prefixes) {
    // Checksummed families (any keyword), and every provider prefix like hf_, sk-, xoxb-: a value
    // starting with one that its rule did not report is a look-alike (truncated, failed checksum).
    prefixes = compiled.rules
      .filter((r) => !r.context)
      .flatMap((r) => r.def.keywords.filter((k) => (r.checksum ? k.length >= 3 : /^[A-Za-z0-9]{2,10}[_-]$/.test(k))));
    CHECKSUM_PREFIXES.set(compiled, prefixes);
  }
  for (const p of prefixes) if (value.startsWith(p)) return true;
  return false;
}

const DOCUMENTED_EXAMPLES = new WeakMap<CompiledRules, RegExp[]>();

/**
 * A value a provider rule's allow-list names as a documented example (Firebase's sample API key,
 * Azurite's account key, Hardhat's default accounts) is not a secret under a generic rule either.
 * Only whole-value entries count: `patterns` on the secret, without paths or stopwords.
 */
function documentedExample(compiled: CompiledRules, value: string): boolean {
  let patterns = DOCUMENTED_EXAMPLES.get(compiled);
  if (!patterns) {
    patterns = compiled.rules
      .filter((r) => !r.context)
      .flatMap((r) => r.def.allow ?? [])
      .filter((a) => (a.target ?? 'secret') === 'secret' && !a.paths?.length && !a.stopwords?.length)
      .flatMap((a) => (a.patterns ?? []).map((p) => new RegExp(p, (a.flags ?? '').replace(/[gyd]/g, ''))));
    DOCUMENTED_EXAMPLES.set(compiled, patterns);
  }
  return patterns.some((r) => r.test(value));
}

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
      if (rule) out.push({ rule, matchStart: at.matchStart, start: at.start, end: at.end, secret: f.secret, confidence: f.confidence });
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

function kindOfName(name: string): ValueKind {
  return /pass|pwd/i.test(name) ? 'password' : 'token';
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

/** Scores a candidate value; pushes it with its confidence when it may be a secret. */
function judge(m: ContextMatch, value: string, kind: ScoreInput['kind'], quoted: boolean, chunk: Chunk): ContextMatch | undefined {
  if (startsLikeProviderToken(chunk.compiled, value)) {
    // A checksummed provider token is that rule's to report: rescanned alone (its look-behind may
    // have failed on the text before it, `%3Dghp_…`); a look-alike failing the checksum is dropped.
    if (value !== m.secret || !chunk.buf.toString('utf8', m.start, m.end).startsWith(value)) return undefined;
    rescanDecoded(chunk.compiled, value, m, chunk.out);
    return undefined;
  }
  if (documentedExample(chunk.compiled, value)) return undefined;
  const score = scoreValue({ value, kind, quoted, testPath: chunk.testPath, line: lineAround(chunk.buf, m.start) });
  if ('reject' in score) return undefined;
  const kept: ContextMatch = { ...m, secret: value, confidence: score.confidence };
  chunk.out.push(kept);
  return kept;
}

/** `'Authorization': type1msg`, `apiKey: API_KEY` in JS/TS: a bare identifier after `:`/`=` is a reference. */
function jsReference(m: ContextMatch, chunk: Chunk): boolean {
  const { buf } = chunk;
  return chunk.jsPath && !isQuote(buf[m.start - 1]) && JS_IDENTIFIER.test(m.secret) && SEPARATOR_BEFORE.test(buf.toString('latin1', Math.max(m.matchStart, m.start - 8), m.start));
}

/** Decodes percent-encoding (nested too) and string escapes; the decoded text is rescanned. */
function decoded(m: ContextMatch, chunk: Chunk, percent: boolean): string {
  const d = (percent ? decodePercentDeep(m.secret) : undefined) ?? decodeEscapes(m.secret);
  if (d === undefined) return m.secret;
  rescanDecoded(chunk.compiled, d, m, chunk.out);
  return d;
}

/** Basic credentials: the decoded password is judged; a provider token inside is rescanned. */
function applyBasic(m: ContextMatch, chunk: Chunk): void {
  // `Basic eyJ…` followed by `.` is a JWT, not base64 of user:password.
  if (chunk.buf[m.end] === 0x2e) return;
  const basic = basicCredentials(m.secret);
  if (!basic) return;
  const at = { ...m, secret: basic.password };
  rescanDecoded(chunk.compiled, basic.password, at, chunk.out);
  judge(at, basic.password, 'password', true, chunk);
}

const HANDLERS: Record<ContextHandlerName, ContextHandler> = {
  assignment: {
    specificity: 0,
    apply(m, chunk) {
      const c = extractAssignment(chunk.buf, m.start, m.end, chunk.fileKind, chunk.jsPath);
      if (!c) return;
      const at: ContextMatch = { rule: m.rule, matchStart: c.keyStart, start: c.start, end: c.end, secret: '' };
      let value = chunk.buf.toString('utf8', c.start, c.end);
      const quoted = c.syntax !== 'bare' && c.syntax !== 'bare-code' && c.syntax !== 'cli' && c.syntax !== 'table';
      if (quoted) {
        const unescaped = decodeEscapes(value);
        if (unescaped !== undefined) {
          // A trailing escaped newline ends a line of a config written as a string.
          value = unescaped.replace(/[\r\n]+$/, '');
          rescanDecoded(chunk.compiled, unescaped, at, chunk.out);
        }
      }
      const kept = judge(at, value, c.kind, quoted, chunk);
      // In JS/TS the syntax tree confirms literals (a key inside a string too: `log('token = …')`).
      if (kept && chunk.isJs && (c.syntax === 'quoted' || c.syntax === 'in-string')) chunk.astChecked.push(kept);
    },
  },
  'secret-header': {
    specificity: 1,
    apply(m, chunk) {
      if (!jsReference(m, chunk)) judge(m, decoded(m, chunk, false), 'header', true, chunk);
    },
  },
  'auth-header': {
    specificity: 1,
    apply(m, chunk) {
      const cred = authorizationCredential(m.secret);
      if (!cred) return;
      const start = m.start + Buffer.byteLength(m.secret.slice(0, cred.offset));
      const value = m.secret.slice(cred.offset, cred.offset + cred.length);
      const at: ContextMatch = { ...m, start, end: start + Buffer.byteLength(value), secret: value };
      if (cred.basic) return applyBasic(at, chunk);
      if (jsReference(at, chunk)) return;
      judge(at, decoded(at, chunk, false), 'header', true, chunk);
    },
  },
  'basic-auth': { specificity: 4, apply: applyBasic },
  'url-userinfo': {
    specificity: 3,
    apply(m, chunk) {
      judge(m, decoded(m, chunk, true), 'url-password', true, chunk);
    },
  },
  'url-query': {
    specificity: 3,
    apply(m, chunk) {
      if (isImageUrlQuery(chunk.buf.toString('latin1', Math.max(0, m.matchStart - 256), m.matchStart))) return;
      const name = chunk.buf.toString('latin1', m.matchStart, m.start);
      judge(m, decoded(m, chunk, true), /pass|pwd/i.test(name) ? 'password' : 'token', true, chunk);
    },
  },
  jwt: {
    specificity: 6,
    apply(m, chunk) {
      const jwt = inspectJwt(m.secret);
      // An unsigned token (alg none, no signature) authenticates nowhere that checks signatures.
      if (!jwt?.signed || rejectObviousPlaceholder(m.secret)) return;
      chunk.out.push({ ...m, confidence: chunk.testPath ? 'low' : 'medium' });
    },
  },
  'command-password': {
    specificity: 2,
    apply(m, chunk) {
      // IDENTIFIED BY <bare> is captured by the `bare` group when no quoted secret follows.
      let { start, end, secret } = m;
      if (secret === '') return;
      const q = secret.charCodeAt(0);
      if ((q === 0x27 || q === 0x22) && secret.length >= 2 && secret.charCodeAt(secret.length - 1) === q) {
        secret = secret.slice(1, -1);
        start += 1;
        end -= 1;
      }
      const at = { ...m, start, end, secret };
      judge(at, decoded(at, chunk, false), 'password', true, chunk);
    },
  },
  'private-key': {
    specificity: 7,
    apply(m, chunk) {
      // Base64 of a PEM (LS0tLS1CRUdJTi…) is decoded and must hold a private key.
      const pem = m.secret.startsWith('LS0tLS1CRUdJTi') ? decodeBase64Text(m.secret) : m.secret;
      if (pem === undefined || !/PRIVATE KEY(?: BLOCK)?-----/.test(pem)) return;
      if (rejectObviousPlaceholder(pem.replace(/-----[A-Z ]+-----/g, ''))) return;
      // Without its passphrase an encrypted key is not usable: reported, but low.
      const encrypted = /ENCRYPTED/.test(pem);
      chunk.out.push(encrypted ? { ...m, confidence: 'low' } : m);
    },
  },
  jwk: {
    specificity: 7,
    apply(m, chunk) {
      const member = jwkPrivateMember(chunk.buf, m.start, m.end);
      if (member) chunk.out.push({ ...m, start: member.start, end: member.end, secret: member.value });
    },
  },
  'js-reference': {
    specificity: 2,
    apply(m, chunk) {
      if (chunk.isJs && hasSecretLiteralBinding(chunk.latin(), m.secret)) chunk.jsReferences.push(m);
    },
  },
  'kubernetes-secret': {
    specificity: 5,
    apply(m, chunk) {
      // A document is read once, however many `kind: Secret` lines it holds (linear time).
      chunk.yamlDocs ??= new YamlDocuments(chunk.latin());
      const doc = chunk.yamlDocs.indexAt(m.start);
      if (chunk.yamlDocsRead.has(doc)) return;
      chunk.yamlDocsRead.add(doc);
      for (const v of chunk.yamlDocs.secretValues(doc)) {
        if (chunk.kubernetesDocs.has(v.start)) continue;
        chunk.kubernetesDocs.add(v.start);
        const decoded = v.base64 ? decodeBase64Text(v.value) : chunk.buf.toString('utf8', v.start, v.end);
        if (decoded === undefined) continue;
        const at: ContextMatch = { rule: m.rule, matchStart: v.start, start: v.start, end: v.end, secret: decoded.trim() };
        rescanDecoded(chunk.compiled, decoded, at, chunk.out);
        if (!/[\r\n]/.test(at.secret) && !rejectGenericValue(at.secret, secretKeyKind(v.key) === 'password' ? 'password' : 'token')) chunk.out.push(at);
      }
    },
  },
};

/** Applies context rules to one chunk's raw matches. Pure; cheap when no context rule matched. */
export function applyContext(compiled: CompiledRules, buf: Buffer, origin: Origin, raw: ContextMatch[]): ContextMatch[] {
  let active = false;
  for (const m of raw) {
    if (m.rule.context || placeholderOnly(m.rule)) {
      active = true;
      break;
    }
  }
  if (!active) return raw;
  const jsPath = JS_PATH.test(origin.path);
  let latin: string | undefined;
  const chunk: Chunk = {
    compiled,
    buf,
    origin,
    fileKind: fileKindOf(origin.path),
    testPath: isTestPath(origin.path),
    jsPath,
    isJs: jsPath && buf.length <= MAX_AST_BYTES,
    latin: () => (latin ??= buf.toString('latin1')),
    astChecked: [],
    jsReferences: [],
    kubernetesDocs: new Set(),
    yamlDocsRead: new Set(),
    out: [],
  };
  const out = chunk.out;
  for (const m of raw) {
    const name = m.rule.context;
    if (name) {
      HANDLERS[name].apply(m, chunk);
    } else if (!placeholderOnly(m.rule) || !rejectObviousPlaceholder(m.secret)) out.push(m);
  }
  // Inside a Secret manifest the decoded value has been judged: the raw base64 text is not judged again.
  const judged =
    chunk.kubernetesDocs.size === 0
      ? out
      : out.filter((m) => !(m.rule.context && m.rule.context !== 'kubernetes-secret' && chunk.kubernetesDocs.has(m.start)));
  if (chunk.astChecked.length === 0 && chunk.jsReferences.length === 0) return preferSpecific(judged);
  const analysis = analyzeJs(buf.toString('utf8'), origin.path);
  // Unparseable code: assignment candidates keep their lexical verdict; references stay unresolved.
  if (!analysis) return preferSpecific(judged);
  return preferSpecific(confirmOnSyntaxTree(buf, analysis, judged, new Set(chunk.astChecked), chunk.jsReferences));
}

/** Provider format without a checksum: only obvious placeholders are dropped. */
const placeholderOnly = (rule: CompiledRule): boolean => !rule.context && rule.confidence === 'medium' && !rule.checksum;

const specificity = (rule: CompiledRule): number => (rule.context ? HANDLERS[rule.context].specificity : 0);

/** Among generic rules, the one that knows most about a span reports it (a header over an assignment). */
function preferSpecific(matches: ContextMatch[]): ContextMatch[] {
  const generic = matches.filter((m) => m.rule.context);
  if (generic.length < 2) return matches;
  generic.sort((a, b) => a.start - b.start);
  const drop = new Set<ContextMatch>();
  for (let i = 0; i < generic.length; i++) {
    const a = generic[i]!;
    for (let j = i + 1; j < generic.length && generic[j]!.start < a.end; j++) {
      const b = generic[j]!;
      const sa = specificity(a.rule);
      const sb = specificity(b.rule);
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
    if (rejectGenericValue(lit.value, kindOfName(lit.name))) continue;
    taken.push([start, end]);
    out.push({ rule, matchStart: start, start, end, secret: lit.value });
  }
  return out;
}
