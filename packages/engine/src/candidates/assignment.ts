/**
 * Key/value candidates around a secret word: one lexer for the shapes a value takes next to a
 * secret-named key in every language and format —
 *   assignments and declarations   password = "…"   val password: String = "…"   $pass = '…'
 *   object / dict / map literals   "password": "…"   :password => '…'   password: '…'   Password = "…",
 *   config files                   db_password: …   PASSWORD=…   spring.datasource.password=…   ac.pat=…
 *   XML                            <password>…</password>   <add key="ApiToken" value="…"/>   password="…"
 *   call arguments                 ("password", "…")   Connect(user="root", password="…")
 *   wrappers and fallbacks         Some("…")   os.getenv("X", "…")   os.environ.get("X") or "…"
 *   Markdown tables                | password | … |
 *   command-line flags             --password …   --password=…
 * Each candidate carries its key name, what the key says it holds, and the syntax the value was
 * written in; whether it is a secret is decided by scoring (scoring/score.ts).
 */
import type { Buffer } from 'node:buffer';
import { secretKeyKind, type KeyKind } from '../context/names.js';
import type { FileKind } from './file-kind.js';
import { isIdentChar, isNameChar, isQuote, isSpace, lineEndAt, lineStartAt, quotedEnd, skipSpaces, stringAt } from './lexer.js';

export type ValueSyntax = 'quoted' | 'in-string' | 'bare' | 'bare-code' | 'call' | 'fallback' | 'setter' | 'xml' | 'table' | 'cli';

export interface Candidate {
  /** Byte offset where the key starts (the finding's match start). */
  keyStart: number;
  key: string;
  kind: KeyKind;
  /** Byte offsets of the value. */
  start: number;
  end: number;
  syntax: ValueSyntax;
  /** The operator between key and value (`=`, `:`, `=>`, `==`, `,`, `>`, `|`, ` `). */
  operator: string;
}

/** Bytes of a line read around a hit: keys and values beyond this are not candidates. */
const LINE_BEFORE = 256;
const LINE_AFTER = 2048;
const MAX_KEY = 96;

/** Calls whose last string argument is a default value: getenv("X", "dflt"), ENV.fetch('X', 'dflt'). */
const DEFAULT_CALL = /(?:^|\.)(?:getenv|get|fetch|env|getProperty|GetEnvironmentVariable|getOrElse|getOrDefault|get_env|setdefault|default|config|setting|option|value|GetValue)$/i;
/** Calls that only wrap a literal: Some("…"), []byte("…"), SecretStr("…"), new String("…"). */
const WRAPPER_CALL =
  /(?:^|\.)(?:Some|PASSWORD|password|DecodeString|decode|b64decode|unhexlify|fromhex|FromBase64String|atob|Option|Optional\.of|of|String|str|bytes|byte|\[\]byte|SecretStr|Secret|SecureString|Password|Buffer\.from|from|unicode|text|b|utf8|encode|toCharArray|CharArray|char|ConvertTo-SecureString|Sensitive|sensitive|new String|NSString|stringWithString|escape|quote|trim|strip)$/;

/** The call expression's name ending at `open` (the `(`), e.g. `os.environ.get`, `[]byte`, `new String`. */
function callName(s: string, from: number, open: number): string {
  return s.slice(from, open).replace(/\s+/g, ' ').trim();
}

/**
 * String literals among the arguments of the call whose `(` is at `open` (depth 1 only), the
 * argument count and where the call closes; undefined when it does not close on this line.
 */
function callArgs(s: string, open: number, end: number): { strings: [number, number][]; args: number; close: number } | undefined {
  const strings: [number, number][] = [];
  let depth = 0;
  let args = 1;
  for (let i = open; i < end && i - open < 512; i++) {
    const c = s.charCodeAt(i);
    if (isQuote(c)) {
      const close = quotedEnd(s, i, end);
      if (close < 0) return undefined;
      if (depth === 1) strings.push([i + 1, close - 1]);
      i = close - 1;
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (--depth === 0) return { strings, args, close: i + 1 };
    } else if (c === 0x2c && depth === 1) args++;
  }
  return undefined;
}

interface ValueSpan {
  start: number;
  end: number;
  syntax: ValueSyntax;
}

/** `ref or "x"`, `ref || 'x'`, `ref ?? "x"`, `ref ?: "x"`: the hard-coded fallback after a reference. */
const FALLBACK = /^[^"'`\n\r]{0,160}?(?:\s(?:or|\|\||\?\?|\?:)\s+)(?=["'])/;

/** Where the value is read: inside a string literal (`"Server=…;Password=…"`), in code, or in a config/doc file. */
interface ValueContext {
  fileKind: FileKind;
  op: string;
  /** The quote of the string literal the key sits in, or -1. */
  inString: number;
  /** JS/TS: a bare value is an identifier the syntax tree would resolve, never a literal. */
  jsPath: boolean;
}

/** A bare word in code: an identifier unless it reads as generated (checked by scoring). Not a
 * member access, a call, an index, a keyword or an operator expression. */
const CODE_BARE = /^[A-Za-z0-9_+/=!@#%^*~-]+$/;
const NUMBER_LITERAL = /^0[xXbBoO][0-9A-Fa-f_]+[uUlL]*$/;
const CODE_KEYWORD = /^(?:true|false|null|nil|None|undefined|this|self|new|await|yield|return|function|lambda|def|fn|func|const|let|var|val|String|string|int|bool|char|byte|object|Object|any|void)$/;

/** Reads the value starting at `v`; `lineEnd` bounds it. */
function readValue(s: string, v: number, lineEnd: number, ctx: ValueContext): ValueSpan | undefined {
  const { fileKind, op, inString } = ctx;
  const c = s.charCodeAt(v);
  if (inString < 0) {
    const str = stringAt(s, v, lineEnd);
    if (str) return { start: str[0], end: str[1], syntax: 'quoted' };
    if (isQuote(c)) return undefined;
    const call = readCall(s, v, lineEnd);
    if (call !== undefined) return call ?? undefined;
  }
  // An unquoted value: up to whitespace or a delimiter of the surrounding syntax.
  const code = fileKind === 'code' && inString < 0;
  let e = v;
  const stopAtComma = code || op === '=>' || op === ',' || inString >= 0;
  while (e < lineEnd && e - v < 1024) {
    const ch = s.charCodeAt(e);
    if (isSpace(ch) || ch === 0x3b /* ; */ || ch === 0x3c /* < */ || ch === 0x7c /* | */ || ch === 0x29 || ch === 0x5d || ch === 0x7d) break;
    // Inside a string its quote ends the value; in code any quote does; in YAML/docs a quote
    // within a bare value is part of it (`password: 4h'vP7x6ou`).
    if (isQuote(ch) && (inString >= 0 || code || e === v)) break;
    if (ch === 0x5c && inString >= 0 && s.charCodeAt(e + 1) === inString) break;
    if (ch === 0x2c && stopAtComma) break;
    if (ch === 0x26 && s.charCodeAt(e + 1) !== 0x26 && op !== ':') break;
    e++;
  }
  // A trailing comma or full stop ends a flow value or a sentence.
  while (e > v && (s.charCodeAt(e - 1) === 0x2c || s.charCodeAt(e - 1) === 0x2e)) e--;
  if (e === v) return undefined;
  if (code && op !== '>' && op !== '|') {
    // A fallback literal after a reference: `os.environ.get("X") or "…"`, `ENV['X'] || '…'`.
    const fb = FALLBACK.exec(s.slice(v, lineEnd));
    if (fb) {
      const lit = stringAt(s, v + fb[0].length, lineEnd);
      if (lit) return { start: lit[0], end: lit[1], syntax: 'fallback' };
    }
    // A bare word in code is an identifier, a member access, a call or an expression; only a
    // lone word that may be generated (embedded YAML, a constant) goes on to scoring.
    const word = s.slice(v, e);
    const next = s.charCodeAt(skipSpaces(s, e, lineEnd, 8));
    if (ctx.jsPath || !CODE_BARE.test(word) || CODE_KEYWORD.test(word) || NUMBER_LITERAL.test(word) || next === 0x28 || next === 0x2e || next === 0x5b || next === 0x2b || next === 0x3f)
      return undefined;
    return { start: v, end: e, syntax: 'bare-code' };
  }
  // `key: value more words` is prose or a signature, not a value (YAML values rarely hold spaces).
  if (op === ':' && inString < 0) {
    const after = skipSpaces(s, e, lineEnd, 64);
    if (after < lineEnd && s.charCodeAt(after) !== 0x23 /* # comment */) return undefined;
  }
  return { start: v, end: e, syntax: inString >= 0 ? 'in-string' : op === '|' ? 'table' : op === ' ' ? 'cli' : 'bare' };
}

/**
 * A call at `v`: a wrapper around a literal (`Some("…")`, `[]byte("…")`), a lookup with a default
 * (`os.getenv("X", "…")`) or a reference with a literal fallback. Undefined when `v` is not a
 * call; null when it is one without a literal value.
 */
function readCall(s: string, v: number, lineEnd: number): ValueSpan | null | undefined {
  let i = v;
  if (s.startsWith('new ', i)) i += 4;
  while (i < lineEnd && i - v < 64 && (isIdentChar(s.charCodeAt(i)) || s.charCodeAt(i) === 0x2e || s.charCodeAt(i) === 0x5b || s.charCodeAt(i) === 0x5d || s.charCodeAt(i) === 0x3a)) i++;
  if (i === v || s.charCodeAt(i) !== 0x28) return undefined;
  const name = callName(s, v, i);
  const call = callArgs(s, i, lineEnd);
  if (!call) return null;
  if (call.strings.length > 0) {
    if (WRAPPER_CALL.test(name) && call.args === 1) return { start: call.strings[0]![0], end: call.strings[0]![1], syntax: 'call' };
    const last = call.strings[call.strings.length - 1]!;
    if (DEFAULT_CALL.test(name) && call.args >= 2 && last[1] === lastArgEnd(s, call.close)) return { start: last[0], end: last[1], syntax: 'fallback' };
  }
  const fb = FALLBACK.exec(s.slice(call.close, lineEnd));
  if (fb) {
    const lit = stringAt(s, call.close + fb[0].length, lineEnd);
    if (lit) return { start: lit[0], end: lit[1], syntax: 'fallback' };
  }
  return null;
}

/** Index just past the last argument's closing quote: the default is the call's last argument. */
function lastArgEnd(s: string, close: number): number {
  let i = close - 2;
  while (i > 0 && isSpace(s.charCodeAt(i))) i--;
  return isQuote(s.charCodeAt(i)) ? i : -1;
}

/** Setters and builders taking the secret: setPassword(, withSecret(, .password(, set_api_key(. */
const SETTER = /(?:^|\.)(?:(?:[Ss]et|[Ww]ith)(?:_|(?=[A-Z]))\w*|[Pp]assword|[Pp]asswd|[Pp]assphrase|[Ss]ecret|[Tt]oken|[Aa]pi_?[Kk]ey)$/;

/** `<add key="DbPassword" value="…"/>`, `<property name="password" value="…"/>`: the value attribute of the same tag. */
const XML_VALUE = /^[^<>]{0,256}?\bvalue\s*=\s*(["'])/i;

/**
 * The candidate for the secret word matched at `[hitStart, hitEnd)`, or undefined. Reads at most
 * one line around the hit.
 */
export function extractAssignment(buf: Buffer, hitStart: number, hitEnd: number, fileKind: FileKind, jsPath = false): Candidate | undefined {
  // Decode the hit's line only (a second one when the value may continue there), bounded.
  // Every search stays inside the bounds: on one long line an unbounded indexOf per hit would
  // make a flood of keywords quadratic.
  let from = Math.max(0, hitStart - LINE_BEFORE);
  const nl = buf.subarray(from, hitStart).lastIndexOf(10);
  if (nl >= 0) from += nl + 1;
  const limit = Math.min(buf.length, hitEnd + LINE_AFTER);
  const at = (start: number) => {
    const i = buf.subarray(start, limit).indexOf(10);
    return i < 0 ? limit : start + i;
  };
  let to = at(hitEnd);
  // The next line, for a value written under its key (`apiToken:\n  '…'`).
  if (to < limit) to = at(to + 1);
  const s = buf.toString('latin1', from, to);
  const hs = hitStart - from;
  const he = hitEnd - from;
  const ls = lineStartAt(s, hs, 0);
  const le = lineEndAt(s, he, s.length);
  // The whole key around the secret word.
  let ks = hs;
  while (ks > ls && hs - ks < MAX_KEY && isNameChar(s.charCodeAt(ks - 1))) ks--;
  let ke = he;
  while (ke < le && ke - he < MAX_KEY && isNameChar(s.charCodeAt(ke))) ke++;
  while (ke > he && (s.charCodeAt(ke - 1) === 0x2e || s.charCodeAt(ke - 1) === 0x2d)) ke--;
  const rawKey = s.slice(ks, ke);
  const cli = rawKey.startsWith('-') && (ks === ls || isSpace(s.charCodeAt(ks - 1)));
  const key = rawKey.replace(/^[-$.]+/, '');
  const kind = secretKeyKind(key);
  if (kind === undefined) return undefined;
  // `\"password\": \"…\"`: a key (and its value) in a string inside a string.
  const escapedQuote = s.charCodeAt(ks - 2) === 0x5c && isQuote(s.charCodeAt(ks - 1));
  const before = s.charCodeAt(ks - 1);
  let p = ke;
  let keyQuoted = false;
  const closing = escapedQuote && s.charCodeAt(p) === 0x5c ? p + 1 : p;
  // `"password": …` is a quoted key; `"password=…"` is a key inside a string (a connection string).
  if (isQuote(before) && s.charCodeAt(closing) === before) {
    p = closing + 1;
    keyQuoted = true;
    // An attribute naming the key: the value is the tag's `value` attribute; any other
    // attribute value (class="copy-pass") is not a key.
    if (!escapedQuote && s.charCodeAt(ks - 2) === 0x3d) {
      const xml = XML_VALUE.exec(s.slice(p, Math.min(le, p + 300)));
      if (!xml) return undefined;
      const open = p + xml[0].length - 1;
      const close = quotedEnd(s, open, le);
      return close > open + 1 ? make(open + 1, close - 1, 'xml', 'value=') : undefined;
    }
  }
  // A key inside a string (`"Server=db;Password=…"`, `'Password: ' + x`): the value is in the same string.
  const inString = isQuote(before) && !keyQuoted ? before : -1;
  const indexed = s.charCodeAt(p) === 0x5d;
  if (indexed) p++;
  const afterKey = p;
  p = skipSpaces(s, p, le, 64);
  let op = '';
  const c0 = s.charCodeAt(p);
  const c1 = s.charCodeAt(p + 1);
  if (c0 === 0x3a && c1 === 0x3d) op = ':=';
  else if (c0 === 0x3d && c1 === 0x3e) op = '=>';
  else if ((c0 === 0x3d || c0 === 0x21) && c1 === 0x3d) op = (c0 === 0x21 ? '!' : '=') + (s.charCodeAt(p + 2) === 0x3d ? '==' : '=');
  else if (c0 === 0x3f && c1 === 0x3d) op = '?=';
  else if (c0 === 0x3d) op = '=';
  else if (c0 === 0x3a && c1 !== 0x3a) op = ':';
  else if (c0 === 0x2c && keyQuoted && !indexed && (rawKey.startsWith('-') || openedCall(s, ks - 1, ls))) op = ',';
  else if (c0 === 0x28 && p === ke && SETTER.test(rawKey)) op = '(';
  else if (c0 === 0x3e && before === 0x3c) op = '>';
  else if (c0 === 0x7c && tableCell(s, ks, ls)) op = '|';
  else if (cli && p > afterKey && p < le) op = ' ';
  if (op === '') {
    // `var password string = "…"` (Go), `String password = "…"` has the name last anyway.
    const typed = /^[A-Za-z_][\w.]*(?:\[\])?\s{0,4}=(?![=>])/.exec(s.slice(p, Math.min(le, p + 80)));
    if (!typed || fileKind !== 'code') return undefined;
    op = '=';
    p += typed[0].length - 1;
  }
  p += op === ' ' ? 0 : op.length;
  if (op === ':') {
    // A type annotation before the value: `val password: String = "…"`, `password?: string = '…'`.
    const typed = /^\s{0,4}[A-Za-z_][\w.]*(?:<[\w., ]{0,40}>)?(?:\[\])?\??\s{0,4}=(?![=>])/.exec(s.slice(p, Math.min(le, p + 80)));
    if (typed) {
      p += typed[0].length;
      op = '=';
    }
  }
  p = skipSpaces(s, p, le, 32);
  let lineEnd = le;
  if (p >= le) {
    // In code a long value may be written on the next line (`apiToken:\n  '…'`); elsewhere an
    // empty value stays empty (`password=` never takes the next line).
    if (fileKind !== 'code' || op === '|' || op === '>' || op === ' ') return undefined;
    const next = le + (s.charCodeAt(le) === 13 && s.charCodeAt(le + 1) === 10 ? 2 : 1);
    p = skipSpaces(s, next, s.length, 64);
    lineEnd = lineEndAt(s, p, s.length);
    if (!isQuote(s.charCodeAt(p))) return undefined;
  }
  if (inString >= 0 && s.charCodeAt(p) === inString) return undefined;
  // In shell and config files a backtick runs a command.
  if (s.charCodeAt(p) === 0x60 && fileKind !== 'code') return undefined;
  if (op === '(') {
    // A setter or builder call with one literal: setPassword("…"), .withSecret('…'), .password("…").
    const call = callArgs(s, p - 1, lineEnd);
    if (!call || call.args !== 1 || call.strings.length !== 1) return undefined;
    return make(call.strings[0]![0], call.strings[0]![1], 'setter', op);
  }
  if (escapedQuote && s.charCodeAt(p) === 0x5c && s.charCodeAt(p + 1) === before) {
    // The value of an escaped key is an escaped string: up to the next \" on the line.
    const close = s.indexOf(`\\${String.fromCharCode(before)}`, p + 2);
    if (close < 0 || close > lineEnd) return undefined;
    return make(p + 2, close, 'quoted', op);
  }
  const value = readValue(s, p, lineEnd, { fileKind, op, inString, jsPath });
  if (!value || value.end <= value.start) return undefined;
  return make(value.start, value.end, value.syntax, op);

  function make(vs: number, ve: number, syntax: ValueSyntax, operator: string): Candidate {
    return { keyStart: from + ks, key, kind: kind!, start: from + vs, end: from + ve, syntax, operator };
  }
}

/** Is the quoted key at `quote` the first argument of a call (`put("password", "…")`)? */
function openedCall(s: string, quote: number, ls: number): boolean {
  let i = quote - 1;
  while (i >= ls && isSpace(s.charCodeAt(i))) i--;
  return i >= ls && s.charCodeAt(i) === 0x28;
}

/** Is the key the content of a Markdown table cell (`| password |`)? */
function tableCell(s: string, ks: number, ls: number): boolean {
  let i = ks - 1;
  while (i >= ls && isSpace(s.charCodeAt(i))) i--;
  return i >= ls && s.charCodeAt(i) === 0x7c;
}
