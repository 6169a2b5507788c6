import { Buffer } from 'node:buffer';
import type { CompiledRule, CompiledRules } from './compile.js';
import { withLazyFingerprint } from './redact.js';
import type { Confidence, Finding, Origin } from './types.js';

/**
 * Key stores and binary private keys, recognised by their structure, not their name: a file that
 * is a key store is a finding by itself, with no pattern to match in text. A rule names one of
 * these detectors in its `detector` field (rules/key-stores.yaml); the sources call
 * `scanKeyStore` for content whose first bytes `mayBeKeyStore` accepts.
 *
 * What the finding's secret is: the key store's bytes, base64-encoded. The fingerprint (rule id +
 * secret) is then a stable identity of that exact key store: a baseline entry survives renames and
 * copies, a re-exported store (new salt, new key) is new, and the secret printed by
 * `--show-secrets` is what a thief would need, as for any other rule. A content hash would give
 * the same identity but is not the secret, and printing it as one would mislead.
 */

export const KEY_STORE_DETECTORS = ['pkcs12', 'java-keystore', 'keepass', 'der-private-key'] as const;
export type KeyStoreDetector = (typeof KEY_STORE_DETECTORS)[number];

interface KeyStoreMatch {
  detector: KeyStoreDetector;
  /** Shown instead of a masked value: what the file is. */
  kind: string;
  /** Low when the key itself is encrypted (an EncryptedPrivateKeyInfo) or the store does not read. */
  confidence?: Confidence;
}

/** A DER (or BER) tag-length-value: content in [start, end). */
interface Tlv {
  tag: number;
  start: number;
  end: number;
  indefinite?: boolean;
}

function tlv(b: Uint8Array, pos: number, limit: number): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = b[pos]!;
  let len = b[pos + 1]!;
  let p = pos + 2;
  if (len === 0x80) return { tag, start: p, end: limit, indefinite: true };
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || p + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  return p + len > limit ? undefined : { tag, start: p, end: p + len };
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;

const oidBytes = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ''), 'hex');
/** 1.2.840.113549.1.7.x: PKCS#7 content types (data, signedData, envelopedData, encryptedData). */
const PKCS7 = '2a864886f70d0107';
/** 1.2.840.113549.1.12.10.1.1 keyBag and .2 pkcs8ShroudedKeyBag, as encoded OIDs. */
const KEY_BAGS = [oidBytes('060b 2a864886f70d010c0a0101'), oidBytes('060b 2a864886f70d010c0a0102')];
/** Password-based encryption schemes of EncryptedPrivateKeyInfo: PKCS#5 (1.2.840.113549.1.5.x) and PKCS#12 (1.2.840.113549.1.12.1.x). */
const PBE_PREFIXES = [oidBytes('2a864886f70d0105'), oidBytes('2a864886f70d010c01')];

const hex = (b: Uint8Array, t: Tlv): string => Buffer.from(b.buffer, b.byteOffset + t.start, t.end - t.start).toString('hex');
const contains = (b: Uint8Array, needle: Buffer): boolean => Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(needle) !== -1;

/** The whole content is one SEQUENCE (DER: exactly; BER: indefinite length allowed if `ber`). */
function outerSequence(b: Uint8Array, ber: boolean): Tlv | undefined {
  const t = tlv(b, 0, b.length);
  if (!t || t.tag !== SEQUENCE) return undefined;
  if (t.indefinite) return ber ? t : undefined;
  return t.end === b.length ? t : undefined;
}

/** PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo (pkcs7-data or signedData), macData OPTIONAL } */
function pkcs12(b: Uint8Array): KeyStoreMatch | undefined {
  const outer = outerSequence(b, true);
  if (!outer) return undefined;
  const version = tlv(b, outer.start, outer.end);
  if (!version || version.tag !== INTEGER || version.end - version.start !== 1 || b[version.start] !== 3) return undefined;
  const authSafe = tlv(b, version.end, outer.end);
  if (!authSafe || authSafe.tag !== SEQUENCE) return undefined;
  const type = tlv(b, authSafe.start, authSafe.end);
  if (!type || type.tag !== OID) return undefined;
  const oid = hex(b, type);
  if (oid !== `${PKCS7}01` && oid !== `${PKCS7}02`) return undefined;
  // OpenSSL, Windows and Java put private keys in a plain `data` content as (shrouded) key bags,
  // and certificates in an encrypted one. No key bag in sight: a trust store (Java's, `openssl
  // pkcs12 -nokeys`), which holds no secret.
  return KEY_BAGS.some((k) => contains(b, k)) ? { detector: 'pkcs12', kind: 'PKCS#12 key store with a private key' } : undefined;
}

/**
 * JKS (magic 0xFEEDFEED, version 1 or 2) and JCEKS (0xCECECECE, version 2): a count, then entries
 * tagged 1 (private key), 2 (trusted certificate) or 3 (JCEKS secret key). A store of trusted
 * certificates only (a trust store, `cacerts`) holds no secret and is not reported.
 */
function javaKeyStore(b: Uint8Array): KeyStoreMatch | undefined {
  if (b.length < 12) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = v.getUint32(0);
  const jceks = magic === 0xcececece;
  if (magic !== 0xfeedfeed && !jceks) return undefined;
  const version = v.getUint32(4);
  if (version !== 2 && !(version === 1 && !jceks)) return undefined;
  const name = jceks ? 'JCEKS' : 'JKS';
  const count = v.getUint32(8);
  let p = 12;
  const need = (n: number): boolean => p + n <= b.length;
  const skipUtf = (): boolean => {
    if (!need(2)) return false;
    const n = v.getUint16(p);
    p += 2;
    if (!need(n)) return false;
    p += n;
    return true;
  };
  const skipCert = (): boolean => {
    if (version === 2 && !skipUtf()) return false;
    if (!need(4)) return false;
    const n = v.getUint32(p);
    p += 4;
    if (!need(n)) return false;
    p += n;
    return true;
  };
  let read = 0;
  for (; read < count && need(4); read++) {
    const tag = v.getUint32(p);
    p += 4;
    if (tag === 1 || tag === 3) return { detector: 'java-keystore', kind: `${name} key store with a ${tag === 1 ? 'private' : 'secret'} key` };
    if (tag !== 2 || !skipUtf() || !need(8)) break;
    p += 8;
    if (!skipCert()) break;
  }
  if (read === count) return undefined;
  // The magic and version are there but the entries do not read: report it, without certainty.
  return { detector: 'java-keystore', kind: `${name} key store (unreadable entries)`, confidence: 'low' };
}

/** KeePass databases: signature 0x9AA2D903, then 0xB54BFB67 (KDBX 2–4), 0xB54BFB66 (KDBX pre-release) or 0xB54BFB65 (KDB 1.x). */
function keepass(b: Uint8Array): KeyStoreMatch | undefined {
  if (b.length < 12 || b[0] !== 0x03 || b[1] !== 0xd9 || b[2] !== 0xa2 || b[3] !== 0x9a) return undefined;
  if (b[5] !== 0xfb || b[6] !== 0x4b || b[7] !== 0xb5 || b[4]! < 0x65 || b[4]! > 0x67) return undefined;
  return { detector: 'keepass', kind: b[4] === 0x65 ? 'KeePass 1 database (.kdb)' : 'KeePass database (.kdbx)' };
}

/** INTEGER elements of a SEQUENCE's content, or -1 when another type is among them. */
function countIntegers(b: Uint8Array, seq: Tlv): number {
  let n = 0;
  for (let p = seq.start; p < seq.end; ) {
    const t = tlv(b, p, seq.end);
    if (!t || t.tag !== INTEGER) return -1;
    n++;
    p = t.end;
  }
  return n;
}

/**
 * A private key as a bare DER file (no PEM armour): PKCS#1 RSAPrivateKey (version 0, nine or more
 * INTEGERs), OpenSSL's DSA key (six INTEGERs), SEC1 ECPrivateKey (version 1, OCTET STRING key),
 * PKCS#8 PrivateKeyInfo (version 0/1, AlgorithmIdentifier, OCTET STRING) and PKCS#8
 * EncryptedPrivateKeyInfo (a PKCS#5/#12 encryption scheme, OCTET STRING; low: needs its password).
 * The file must be exactly one SEQUENCE, so a public key, certificate or signature never passes.
 */
function derPrivateKey(b: Uint8Array): KeyStoreMatch | undefined {
  const outer = outerSequence(b, false);
  if (!outer) return undefined;
  const first = tlv(b, outer.start, outer.end);
  if (!first) return undefined;
  const second = tlv(b, first.end, outer.end);
  if (!second) return undefined;
  const match = (kind: string, confidence?: Confidence): KeyStoreMatch => ({ detector: 'der-private-key', kind, ...(confidence ? { confidence } : {}) });
  if (first.tag === SEQUENCE) {
    const alg = tlv(b, first.start, first.end);
    if (!alg || alg.tag !== OID || second.tag !== OCTET_STRING || second.end !== outer.end) return undefined;
    const oid = hex(b, alg);
    return PBE_PREFIXES.some((p) => oid.startsWith(p.toString('hex'))) ? match('encrypted PKCS#8 private key (DER)', 'low') : undefined;
  }
  if (first.tag !== INTEGER || first.end - first.start !== 1) return undefined;
  const version = b[first.start]!;
  if (version > 1) return undefined;
  if (second.tag === SEQUENCE) {
    const alg = tlv(b, second.start, second.end);
    const key = tlv(b, second.end, outer.end);
    return alg?.tag === OID && key?.tag === OCTET_STRING && key.end - key.start >= 16 ? match('PKCS#8 private key (DER)') : undefined;
  }
  if (second.tag === OCTET_STRING && version === 1) {
    const n = second.end - second.start;
    return n >= 16 && n <= 72 ? match('EC private key (SEC1 DER)') : undefined;
  }
  if (second.tag === INTEGER && version === 0) {
    const ints = countIntegers(b, outer);
    if (ints >= 9 && second.end - second.start >= 64) return match('RSA private key (PKCS#1 DER)');
    if (ints === 6 && second.end - second.start >= 64) return match('DSA private key (DER)');
  }
  return undefined;
}

const DETECTORS: Record<KeyStoreDetector, (b: Uint8Array) => KeyStoreMatch | undefined> = {
  pkcs12,
  'java-keystore': javaKeyStore,
  keepass,
  'der-private-key': derPrivateKey,
};

/**
 * Could content starting with `head` (of `size` bytes in all) be a key store? Constant time: magic
 * numbers, or a DER SEQUENCE header whose length is exactly the content's size. Sources ask this
 * of every binary file and of text starting with `0` (0x30), then read the rest only if it says yes.
 */
export function mayBeKeyStore(head: Uint8Array, size: number): boolean {
  if (head.length < 4) return false;
  const m = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  if (m === 0xfeedfeed || m === 0xcececece || m === 0x03d9a29a) return true;
  if (head[0] !== SEQUENCE) return false;
  const len = head[1]!;
  // BER indefinite length: only PKCS#12 (version 3 follows) is read that way.
  if (len === 0x80) return head[2] === INTEGER && head[3] === 1 && head[4] === 3;
  if (len < 0x80) return 2 + len === size;
  const n = len & 0x7f;
  if (n > 4 || head.length < 2 + n) return false;
  let total = 0;
  for (let i = 0; i < n; i++) total = total * 256 + head[2 + i]!;
  return 2 + n + total === size;
}

const DETECTOR_RULES = new WeakMap<CompiledRules, CompiledRule[]>();

function detectorRules(compiled: CompiledRules): CompiledRule[] {
  let rules = DETECTOR_RULES.get(compiled);
  if (!rules) DETECTOR_RULES.set(compiled, (rules = compiled.rules.filter((r) => r.def.detector !== undefined)));
  return rules;
}

/**
 * Findings for content that is a key store (the whole file or archive member): one per rule whose
 * detector recognises it, located at line 1 and spanning the content. Pure, like scanBytes.
 */
export function scanKeyStore(compiled: CompiledRules, bytes: Uint8Array, origin: Origin): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<KeyStoreDetector, KeyStoreMatch | undefined>();
  for (const rule of detectorRules(compiled)) {
    const detector = rule.def.detector!;
    if (!seen.has(detector)) seen.set(detector, DETECTORS[detector](bytes));
    const m = seen.get(detector);
    if (!m) continue;
    const def = rule.def;
    const confidence = m.confidence ?? rule.confidence;
    findings.push(
      withLazyFingerprint({
        ruleId: def.id,
        provider: def.provider,
        title: def.title,
        // An encrypted store needs its password: like an encrypted PEM key, shown at most medium.
        severity: confidence === 'low' && (def.severity === 'critical' || def.severity === 'high') ? 'medium' : def.severity,
        confidence,
        origin,
        start: { line: 1, column: 1 },
        end: { line: 1, column: 1 },
        byteOffset: 0,
        byteLength: bytes.length,
        redacted: `<${m.kind}, ${bytes.length} bytes>`,
        secret: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      }),
    );
  }
  return findings;
}
