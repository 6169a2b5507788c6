/**
 * One pass over the bytes for every rule keyword at once: an Aho-Corasick automaton compiled into a
 * dense DFA (state × byte → state), matched case-insensitively for ASCII letters. Working on bytes
 * means a file with no hit is never decoded into a string at all.
 */

export interface Prefilter {
  readonly keywords: readonly string[];
  /** Calls `onHit` for every keyword occurrence in `bytes[from, to)`, in order of `end`. */
  scan(bytes: Uint8Array, onHit: (keyword: number, start: number, end: number) => void, from?: number, to?: number): void;
}

function foldByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

export function compilePrefilter(keywords: readonly string[]): Prefilter {
  const encoder = new TextEncoder();
  // Trie over folded bytes. goto[] is built sparse first, then densified with failure links.
  const trie: Array<Map<number, number>> = [new Map()];
  const outputs: number[][] = [[]];
  const lengths = keywords.map((k) => encoder.encode(k).length);
  keywords.forEach((kw, index) => {
    const bytes = encoder.encode(kw);
    if (bytes.length === 0) throw new Error('empty prefilter keyword');
    let s = 0;
    for (const raw of bytes) {
      const b = foldByte(raw);
      let next = trie[s]!.get(b);
      if (next === undefined) {
        next = trie.length;
        trie.push(new Map());
        outputs.push([]);
        trie[s]!.set(b, next);
      }
      s = next;
    }
    outputs[s]!.push(index);
  });

  const stateCount = trie.length;
  const delta = stateCount < 0xffff ? new Uint16Array(stateCount * 256) : new Uint32Array(stateCount * 256);
  const fail = new Int32Array(stateCount);
  // BFS: dense transitions for the root, then each state inherits its failure state's row.
  const queue: number[] = [];
  for (let b = 0; b < 256; b++) {
    const next = trie[0]!.get(foldByte(b));
    delta[b] = next ?? 0;
    if (next !== undefined && foldByte(b) === b) {
      fail[next] = 0;
      queue.push(next);
    }
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    const f = fail[s]!;
    // Matches ending here include those of the failure chain.
    if (outputs[f]!.length) outputs[s] = outputs[s]!.concat(outputs[f]!);
    // Inherit the failure state's whole row, then set this state's own edges: far cheaper than 256
    // map lookups per state (rule compilation is part of every short run's start-up).
    const row = s * 256;
    delta.copyWithin(row, f * 256, f * 256 + 256);
    for (const [folded, next] of trie[s]!) {
      delta[row + folded] = next;
      // Trie keys are folded bytes; the upper-case letter moves the same way.
      if (folded >= 0x61 && folded <= 0x7a) delta[row + folded - 0x20] = next;
      fail[next] = delta[f * 256 + folded]!;
      queue.push(next);
    }
  }

  // Flattened outputs for the hot loop: hasOutput[state] → slice of outList.
  const outStart = new Int32Array(stateCount + 1);
  const outList: number[] = [];
  for (let s = 0; s < stateCount; s++) {
    outStart[s] = outList.length;
    outList.push(...outputs[s]!);
  }
  outStart[stateCount] = outList.length;
  const hasOutput = new Uint8Array(stateCount);
  for (let s = 0; s < stateCount; s++) hasOutput[s] = outStart[s + 1]! > outStart[s]! ? 1 : 0;
  const outArr = Int32Array.from(outList);
  const lens = Int32Array.from(lengths);

  // Built once a run has scanned enough bytes to repay building it: a short run (a pre-commit scan
  // of a few small files, one editor buffer) never pays for the table copy.
  let wasm: WasmAutomaton | null | undefined;
  let jsBytes = 0;
  const emit = (s: number, i: number, onHit: (keyword: number, start: number, end: number) => void) => {
    for (let o = outStart[s]!, e = outStart[s + 1]!; o < e; o++) {
      const k = outArr[o]!;
      onHit(k, i + 1 - lens[k]!, i + 1);
    }
  };
  let busy = false;

  return {
    keywords,
    scan(bytes, onHit, from = 0, to = bytes.length) {
      // The same automaton in WebAssembly runs ~1.6× faster than the JavaScript loop below; the
      // loop stays for tiny inputs, a re-entrant call from `onHit`, and hosts without WebAssembly.
      const n = to - from;
      if (wasm === undefined && n >= WASM_MIN_BYTES && jsBytes + n >= WASM_AFTER_BYTES) wasm = wasmAutomaton(delta, stateCount, hasOutput) ?? null;
      if (wasm && !busy && n >= WASM_MIN_BYTES) {
        busy = true;
        try {
          wasm.scan(bytes, from, to, (s, i) => emit(s, i, onHit));
        } finally {
          busy = false;
        }
        return;
      }
      jsBytes += n;
      let s = 0;
      for (let i = from; i < to; i++) {
        s = delta[(s << 8) | bytes[i]!]!;
        if (hasOutput[s] === 1) {
          for (let o = outStart[s]!, e = outStart[s + 1]!; o < e; o++) {
            const k = outArr[o]!;
            onHit(k, i + 1 - lens[k]!, i + 1);
          }
        }
      }
    },
  };
}

/** Below this many bytes, copying into WebAssembly memory costs more than it saves. */
const WASM_MIN_BYTES = 256;
/** Bytes scanned by the JavaScript loop before the WebAssembly automaton is built. */
const WASM_AFTER_BYTES = 1 << 20;

/*
 * The hot loop in WebAssembly (text format; the bytes below are its binary encoding):
 *
 * (module
 *   (memory (export "memory") 1)
 *   (global $state (export "state") (mut i32) (i32.const 0))
 *   ;; Runs the automaton over memory[pos, end) from row offset $s. A row is 256 i32 entries at
 *   ;; $table; an entry is the next state's row offset. Stops after the first byte that reaches a
 *   ;; row offset >= $limit (states with output are numbered last). Returns the position after
 *   ;; that byte (or $end); the state is left in $state.
 *   (func (export "run") (param $pos i32) (param $end i32) (param $s i32) (param $table i32) (param $limit i32) (result i32)
 *     (block $done
 *       (loop $next
 *         (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
 *         (local.set $s (i32.load (i32.add (local.get $table)
 *           (i32.add (local.get $s) (i32.shl (i32.load8_u (local.get $pos)) (i32.const 2))))))
 *         (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
 *         (br_if $done (i32.ge_u (local.get $s) (local.get $limit)))
 *         (br $next)))
 *     (global.set $state (local.get $s))
 *     (local.get $pos)))
 */
const AUTOMATON_WASM =
  'AGFzbQEAAAABCgFgBX9/f39/AX8DAgEABQMBAAEGBgF/AUEACwcYAwZtZW1vcnkCAAVzdGF0ZQMAA3J1bgAACjoBOAACQANAIAAgAU8NASADIAIgAC0AAEECdGpqKAIAIQIgAEEBaiEAIAIgBE8NAQwACwsgAiQAIAAL';

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

let automatonModule: WebAssembly.Module | null | undefined;

interface WasmAutomaton {
  /** Calls `onOutput(state, i)` (original state numbers) for each byte `i` that ends a keyword. */
  scan(bytes: Uint8Array, from: number, to: number, onOutput: (state: number, i: number) => void): void;
}

interface AutomatonExports {
  memory: WebAssembly.Memory;
  state: WebAssembly.Global;
  run(pos: number, end: number, s: number, table: number, limit: number): number;
}

/** The DFA copied into WebAssembly memory, output states renumbered last; undefined if unavailable. */
function wasmAutomaton(delta: Uint16Array | Uint32Array, stateCount: number, hasOutput: Uint8Array): WasmAutomaton | undefined {
  if (automatonModule === undefined) {
    try {
      automatonModule = new WebAssembly.Module(Uint8Array.from(atob(AUTOMATON_WASM), (c) => c.charCodeAt(0)));
    } catch {
      automatonModule = null;
    }
  }
  if (!automatonModule || stateCount > 0x1fffff) return undefined;
  const { memory, state, run } = new WebAssembly.Instance(automatonModule, {}).exports as unknown as AutomatonExports;
  // Rows of states without output first, so "has output" is one comparison in the loop.
  const order: number[] = [];
  for (let s = 0; s < stateCount; s++) if (hasOutput[s] === 0) order.push(s);
  const firstOutput = order.length;
  for (let s = 0; s < stateCount; s++) if (hasOutput[s] === 1) order.push(s);
  const newId = new Int32Array(stateCount);
  order.forEach((old, i) => (newId[old] = i));
  const ROW = 1024; // 256 entries × 4 bytes
  const dataStart = stateCount * ROW;
  const ensure = (bytes: number) => {
    const missing = dataStart + bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  };
  ensure(0);
  const table = new Int32Array(memory.buffer, 0, stateCount * 256);
  for (let old = 0; old < stateCount; old++) {
    const row = newId[old]! * 256;
    for (let b = 0; b < 256; b++) table[row + b] = newId[delta[old * 256 + b]!]! * ROW;
  }
  const limit = firstOutput * ROW;
  const root = newId[0]! * ROW;
  return {
    scan(bytes, from, to, onOutput) {
      const n = to - from;
      ensure(n);
      new Uint8Array(memory.buffer, dataStart, n).set(bytes.subarray(from, to));
      const end = dataStart + n;
      let pos = dataStart;
      let s = root;
      while (pos < end) {
        pos = run(pos, end, s, 0, limit);
        s = state.value as number;
        if (s >= limit) onOutput(order[s / ROW]!, from + (pos - dataStart) - 1);
      }
    },
  };
}
