/**
 * One pass over the bytes for every rule keyword at once: an Aho-Corasick automaton compiled into a
 * dense DFA (state × byte → state), matched case-insensitively for ASCII letters. Working on bytes
 * means a file with no hit is never decoded into a string at all.
 */

export interface KeywordHit {
  /** Index into the keyword list given to `compilePrefilter`. */
  keyword: number;
  /** Byte offset of the first byte of the keyword. */
  start: number;
  /** Byte offset just after the keyword. */
  end: number;
}

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

  return {
    keywords,
    scan(bytes, onHit, from = 0, to = bytes.length) {
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
