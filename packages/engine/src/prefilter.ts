/**
 * One pass over the bytes for every rule keyword at once, matched case-insensitively for ASCII
 * letters. Working on bytes means a file with no hit is never decoded into a string at all.
 *
 * Two steps, as literal-set searchers do it: a filter on the first four bytes of every keyword
 * (the last four bytes' classes, hashed into a 32 KB bitset, so the hot loop stays in cache), then,
 * at the few positions it passes (~2 % of real code), a walk down the keyword trie. Bytes are
 * mapped to classes first: the rule keywords use ~55 distinct bytes, so a trie row is ~56 entries,
 * not 256, and the whole structure builds in a few milliseconds (it is built at every start and in
 * every worker).
 */

export interface Prefilter {
  readonly keywords: readonly string[];
  /** Calls `onHit` for every keyword occurrence in `bytes[from, to)`, in order of `end`
   * (then longest first, then keyword order). */
  scan(bytes: Uint8Array, onHit: (keyword: number, start: number, end: number) => void, from?: number, to?: number): void;
}

type OnHit = (keyword: number, start: number, end: number) => void;

/** Classes 1..63 fit the filter's 6 bits per byte; class 0 is "in no keyword". */
const GRAM_CLASSES = 64;
/** The filter looks at this many bytes: a keyword can start only where they begin one. */
const GRAM_BYTES = 4;
/** The filter's bitset has 2^GRAM_BITS bits (32 KB). Both are built into the WebAssembly loop
 * below too (its shift, offsets and `pos - 4`). */
const GRAM_BITS = 18;
/** The bit of the last four classes (the low 24 bits of `h`): a multiplicative hash, the same in
 * the WebAssembly loop. */
const gramBit = (h: number) => Math.imul(h << 8, 0x9e3779b1) >>> (32 - GRAM_BITS);

export function compilePrefilter(keywords: readonly string[]): Prefilter {
  const encoder = new TextEncoder();
  const encoded = keywords.map((k) => encoder.encode(k));
  // Exact classes for the trie; upper-case letters share the lower-case class.
  const trieClass = new Uint8Array(256);
  let classes = 1;
  let totalBytes = 0;
  let maxLength = 0;
  // Indexed loops: this runs once per process and thread, mostly in the interpreter, where an
  // iterator costs several times more.
  for (let k = 0; k < encoded.length; k++) {
    const bytes = encoded[k]!;
    if (bytes.length === 0) throw new Error('empty prefilter keyword');
    totalBytes += bytes.length;
    if (bytes.length > maxLength) maxLength = bytes.length;
    for (let i = 0; i < bytes.length; i++) {
      const raw = bytes[i]!;
      const b = raw >= 0x41 && raw <= 0x5a ? raw | 0x20 : raw;
      if (trieClass[b] === 0) trieClass[b] = classes++;
    }
  }
  for (let b = 0x41; b <= 0x5a; b++) trieClass[b] = trieClass[b | 0x20]!;
  // The filter's classes: the same while they fit in 6 bits, else shared (more positions pass the
  // filter, the trie walk still decides).
  const gramClass = classes <= GRAM_CLASSES ? trieClass : trieClass.map((c) => (c === 0 ? 0 : 1 + ((c - 1) % (GRAM_CLASSES - 1))));

  // Dense trie over classes: trie[node * classes + class], 0 = no edge (the root is never a target).
  // Sized for the worst case (no shared prefix), so it is allocated once and never copied.
  const trie = totalBytes < 0xffff ? new Uint16Array((totalBytes + 1) * classes) : new Uint32Array((totalBytes + 1) * classes);
  const ends: number[] = [];
  let nodes = 1;
  const grams = new Uint8Array(1 << (GRAM_BITS - 3));
  for (let index = 0; index < encoded.length; index++) {
    const bytes = encoded[index]!;
    let s = 0;
    for (let i = 0; i < bytes.length; i++) {
      const at = s * classes + trieClass[bytes[i]!]!;
      s = trie[at] || (trie[at] = nodes++);
    }
    ends.push(s, index);
    // The filter bit of its first four bytes. A keyword shorter than that sets the bits for any
    // classes after it (class 0 included); the last starts of an input, too close to its end for
    // the filter, are walked separately.
    const known = Math.min(bytes.length, GRAM_BYTES);
    let head = 0;
    for (let i = 0; i < known; i++) head = (head << 6) | gramClass[bytes[i]!]!;
    const free = 6 * (GRAM_BYTES - known);
    for (let tail = 0; tail < 1 << free; tail++) {
      const bit = gramBit((head << free) | tail);
      grams[bit >> 3]! |= 1 << (bit & 7);
    }
  }
  // Keywords of each node, in keyword order: node → outArr[outStart[node], outStart[node + 1]).
  const outStart = new Int32Array(nodes + 1);
  for (let i = 0; i < ends.length; i += 2) outStart[ends[i]! + 1]!++;
  for (let s = 0; s < nodes; s++) outStart[s + 1]! += outStart[s]!;
  const outArr = new Int32Array(encoded.length);
  const fill = outStart.slice(0, nodes);
  for (let i = 0; i < ends.length; i += 2) outArr[fill[ends[i]!]!++] = ends[i + 1]!;
  const lens = Int32Array.from(encoded, (b) => b.length);

  /** Appends (end, node) for every keyword that starts at `start`. */
  const walk = (bytes: Uint8Array, start: number, to: number, pairs: number[]) => {
    let s = 0;
    for (let j = start; j < to; j++) {
      s = trie[s * classes + trieClass[bytes[j]!]!]!;
      if (s === 0) return;
      if (outStart[s + 1]! > outStart[s]!) pairs.push(j + 1, s);
    }
  };
  /** Emits the pairs ending at or before `safeEnd`, by end; ties keep their order (earlier start first). */
  const flush = (pairs: number[], safeEnd: number, onHit: OnHit) => {
    let order: number[] | undefined;
    for (let i = 2; i < pairs.length; i += 2) {
      if (pairs[i]! < pairs[i - 2]!) {
        order = Array.from({ length: pairs.length >> 1 }, (_, q) => q << 1).sort((x, y) => pairs[x]! - pairs[y]!);
        break;
      }
    }
    const count = pairs.length >> 1;
    let q = 0;
    for (; q < count; q++) {
      const p = order ? order[q]! : q << 1;
      const end = pairs[p]!;
      if (end > safeEnd) break;
      const s = pairs[p + 1]!;
      for (let o = outStart[s]!, e = outStart[s + 1]!; o < e; o++) {
        const k = outArr[o]!;
        onHit(k, end - lens[k]!, end);
      }
    }
    if (q === count) {
      pairs.length = 0;
      return;
    }
    // The rest (sorted, so all of them end after safeEnd) wait for the next flush, in order.
    const rest: number[] = [];
    for (; q < count; q++) {
      const p = order ? order[q]! : q << 1;
      rest.push(pairs[p]!, pairs[p + 1]!);
    }
    pairs.length = 0;
    for (const v of rest) pairs.push(v);
  };
  /** Keyword starts the filter does not see: the last three (keywords shorter than four bytes). */
  const finish = (bytes: Uint8Array, from: number, to: number, pairs: number[], onHit: OnHit) => {
    for (let i = Math.max(from, to - GRAM_BYTES + 1); i < to; i++) walk(bytes, i, to, pairs);
    flush(pairs, Infinity, onHit);
  };

  // Built once a run has scanned enough bytes to repay building it: a short run (a pre-commit scan
  // of a few small files, one editor buffer) never pays for the table copy.
  let wasm: WasmFilter | null | undefined;
  let jsBytes = 0;
  let busy = false;

  return {
    keywords,
    scan(bytes, onHit, from = 0, to = bytes.length) {
      // The same search in WebAssembly runs several times faster than the JavaScript loop below; the
      // loop stays for small inputs, a re-entrant call from `onHit`, and hosts without WebAssembly.
      const n = to - from;
      if (wasm === undefined && n >= WASM_MIN_BYTES && jsBytes + n >= WASM_AFTER_BYTES) {
        // Its trie rows are u16 (up to 65,535 nodes: ten times the built-in rules' 3k).
        const fits = trie instanceof Uint16Array && maxLength < HIT_PAIRS / 2;
        wasm = fits ? (wasmFilter({ gramClass, grams, trieClass, trie: trie.subarray(0, nodes * classes), classes, outStart, maxLength }, flush) ?? null) : null;
      }
      const pairs: number[] = [];
      if (wasm && !busy && n >= WASM_MIN_BYTES) {
        busy = true;
        try {
          wasm.scan(bytes, from, to, pairs, onHit);
        } finally {
          busy = false;
        }
        finish(bytes, from, to, pairs, onHit);
        return;
      }
      jsBytes += n;
      let h = 0;
      for (let i = from; i < to; i++) {
        h = (h << 6) | gramClass[bytes[i]!]!;
        const bit = gramBit(h);
        // A start before `from` may pass the filter (the classes before it count as 0): not a start.
        if ((grams[bit >> 3]! & (1 << (bit & 7))) !== 0 && i - 3 >= from) {
          walk(bytes, i - 3, to, pairs);
          // Later keywords start at i - 2 or after, so they end after i - 2.
          if (pairs.length >= MAX_PENDING) flush(pairs, i - 2, onHit);
        }
      }
      finish(bytes, from, to, pairs, onHit);
    },
  };
}

/** Below this many bytes, copying into WebAssembly memory costs more than it saves. */
const WASM_MIN_BYTES = 256;
/** Bytes scanned by the JavaScript loop before the WebAssembly search is built. */
const WASM_AFTER_BYTES = 1 << 20;
/** Pending hits (pairs) before the ones that can no longer move are emitted. */
const MAX_PENDING = 1 << 14;

/*
 * The hot loop in WebAssembly (text format; the bytes below are its binary encoding, assembled with
 * wabt's wat2wasm). Memory: [0, 256) filter class per byte; [256, 33024) the filter bitset;
 * [33024, 33280) trie class per byte; the trie rows (u16) at $next; one byte per trie node at
 * $term (1 = a keyword ends there); then the hit pairs and the input.
 *
 * (module
 *   (memory (export "memory") 1)
 *   (global $h (export "h") (mut i32) (i32.const 0))      ;; the last classes, across calls
 *   (global $out (export "out") (mut i32) (i32.const 0))  ;; where the next hit pair goes
 *   ;; Filters memory[pos, end) and walks the trie at each start (not before $begin) that passes,
 *   ;; writing (end, node) for every keyword found. Stops before a walk once $out reaches $outLimit
 *   ;; (room is left for one walk's hits) and returns the position to resume at, or $end.
 *   (func (export "run") (param $pos i32) (param $end i32) (param $begin i32) (param $outLimit i32) (param $next i32) (param $classes i32) (param $term i32) (result i32)
 *     (local $h i32) (local $out i32) (local $j i32) (local $s i32)
 *     (local.set $h (global.get $h))
 *     (local.set $out (global.get $out))
 *     (block $done
 *       (loop $scan
 *         (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
 *         (local.set $h (i32.or (i32.shl (local.get $h) (i32.const 6)) (i32.load8_u (i32.load8_u (local.get $pos)))))
 *         (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
 *         (local.set $s (i32.shr_u (i32.mul (i32.shl (local.get $h) (i32.const 8)) (i32.const 0x9e3779b1)) (i32.const 14)))
 *         (br_if $scan (i32.eqz (i32.and
 *           (i32.load8_u offset=256 (i32.shr_u (local.get $s) (i32.const 3)))
 *           (i32.shl (i32.const 1) (i32.and (local.get $s) (i32.const 7))))))
 *         (local.set $j (i32.sub (local.get $pos) (i32.const 4)))
 *         (br_if $scan (i32.lt_s (local.get $j) (local.get $begin)))
 *         (if (i32.ge_u (local.get $out) (local.get $outLimit))
 *           (then
 *             (local.set $pos (i32.sub (local.get $pos) (i32.const 1)))
 *             (local.set $h (i32.shr_u (local.get $h) (i32.const 6)))
 *             (br $done)))
 *         (local.set $s (i32.const 0))
 *         (block $walked
 *           (loop $walk
 *             (br_if $walked (i32.ge_u (local.get $j) (local.get $end)))
 *             (local.set $s (i32.load16_u (i32.add (local.get $next)
 *               (i32.shl (i32.add (i32.mul (local.get $s) (local.get $classes)) (i32.load8_u offset=33024 (i32.load8_u (local.get $j)))) (i32.const 1)))))
 *             (br_if $walked (i32.eqz (local.get $s)))
 *             (local.set $j (i32.add (local.get $j) (i32.const 1)))
 *             (if (i32.load8_u (i32.add (local.get $term) (local.get $s)))
 *               (then
 *                 (i32.store (local.get $out) (local.get $j))
 *                 (i32.store offset=4 (local.get $out) (local.get $s))
 *                 (local.set $out (i32.add (local.get $out) (i32.const 8)))))
 *             (br $walk)))
 *         (br $scan)))
 *     (global.set $h (local.get $h))
 *     (global.set $out (local.get $out))
 *     (local.get $pos)))
 */
const FILTER_WASM =
  'AGFzbQEAAAABDAFgB39/f39/f38BfwMCAQAFAwEAAQYLAn8BQQALfwFBAAsHGgQGbWVtb3J5AgABaAMAA291dAMBA3J1bgAACuUBAeIBAQR/IwAhByMBIQgCQANAIAAgAU8NASAHQQZ0IAAtAAAtAAByIQcgAEEBaiEAIAdBCHRBsfPd8XlsQQ52IQogCkEDdi0AgAJBASAKQQdxdHFFDQAgAEEEayEJIAkgAkgNACAIIANPBEAgAEEBayEAIAdBBnYhBwwCC0EAIQoCQANAIAkgAU8NASAEIAogBWwgCS0AAC0AgIICakEBdGovAQAhCiAKRQ0BIAlBAWohCSAGIApqLQAABEAgCCAJNgIAIAggCjYCBCAIQQhqIQgLDAALCwwACwsgByQAIAgkASAACw==';

// The engine compiles against ES2023 + Node types, which do not declare WebAssembly: the little used here.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: unknown;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  interface Global {
    value: unknown;
  }
}

let filterModule: WebAssembly.Module | null | undefined;

interface WasmFilter {
  /** Appends (end, node) pairs for the keywords starting in `bytes[from, to - 3)` to `pairs`,
   * draining them up to where they are final whenever its hit buffer fills. */
  scan(bytes: Uint8Array, from: number, to: number, pairs: number[], onHit: OnHit): void;
}

interface FilterExports {
  memory: WebAssembly.Memory;
  h: WebAssembly.Global;
  out: WebAssembly.Global;
  run(pos: number, end: number, begin: number, outLimit: number, next: number, classes: number, term: number): number;
}

interface FilterTables {
  gramClass: Uint8Array;
  grams: Uint8Array;
  trieClass: Uint8Array;
  trie: Uint16Array;
  classes: number;
  outStart: Int32Array;
  maxLength: number;
}

const GRAMS_AT = 256;
const TRIE_CLASS_AT = 33024;
const TRIE_AT = 33280;
/** Hit pairs per WebAssembly call (8 bytes each). */
const HIT_PAIRS = 4096;

/** The filter and trie copied into WebAssembly memory; undefined if unavailable. */
function wasmFilter(t: FilterTables, drain: (pairs: number[], safeEnd: number, onHit: OnHit) => void): WasmFilter | undefined {
  if (filterModule === undefined) {
    try {
      filterModule = new WebAssembly.Module(Uint8Array.from(atob(FILTER_WASM), (c) => c.charCodeAt(0)));
    } catch {
      filterModule = null;
    }
  }
  if (!filterModule) return undefined;
  const { memory, h, out, run } = new WebAssembly.Instance(filterModule, {}).exports as unknown as FilterExports;
  const nodes = t.outStart.length - 1;
  const termAt = TRIE_AT + t.trie.byteLength;
  const hitsAt = (termAt + nodes + 7) & ~7;
  const outLimit = hitsAt + (HIT_PAIRS - t.maxLength) * 8;
  const dataStart = hitsAt + HIT_PAIRS * 8;
  // Views of the memory, made again only when it grows (a view per call costs more than the search
  // of a small file).
  let mem = new Uint8Array(memory.buffer);
  let mem32 = new Int32Array(memory.buffer);
  const ensure = (bytes: number) => {
    const missing = dataStart + bytes - mem.length;
    if (missing <= 0) return;
    memory.grow(Math.ceil(missing / 65536));
    mem = new Uint8Array(memory.buffer);
    mem32 = new Int32Array(memory.buffer);
  };
  ensure(0);
  mem.set(t.gramClass, 0);
  mem.set(t.grams, GRAMS_AT);
  mem.set(t.trieClass, TRIE_CLASS_AT);
  mem.set(new Uint8Array(t.trie.buffer, t.trie.byteOffset, t.trie.byteLength), TRIE_AT);
  for (let s = 0; s < nodes; s++) mem[termAt + s] = t.outStart[s + 1]! > t.outStart[s]! ? 1 : 0;
  return {
    scan(bytes, from, to, pairs, onHit) {
      const n = to - from;
      ensure(n);
      mem.set(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to), dataStart);
      const end = dataStart + n;
      const shift = from - dataStart;
      h.value = 0;
      let pos = dataStart;
      for (;;) {
        out.value = hitsAt;
        pos = run(pos, end, dataStart, outLimit, TRIE_AT, t.classes, termAt);
        for (let i = hitsAt >> 2, e = (out.value as number) >> 2; i < e; i += 2) pairs.push(mem32[i]! + shift, mem32[i + 1]!);
        if (pos >= end) return;
        // The walk not yet done starts at pos - 3: later keywords end after pos - 3.
        drain(pairs, pos - 3 + shift, onHit);
      }
    },
  };
}
