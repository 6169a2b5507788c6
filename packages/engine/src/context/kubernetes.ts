/**
 * Kubernetes Secret manifests: every value under `data:` (base64) or `stringData:` (plain) is a
 * secret by construction, whatever its key is called. Lexical, line-based (no YAML parse): the
 * manifest may be one document of many, or a fragment of a log.
 */

export interface SecretDataValue {
  key: string;
  /** Byte offsets of the value as written (the encoded text for `data:`). */
  start: number;
  end: number;
  value: string;
  base64: boolean;
}

const BLOCK = /^([ \t]*)(data|stringData):[ \t]*$/gm;
// A YAML comment starts only after whitespace: `p#ss` is a value, `p # note` is not.
const ENTRY = /^([ \t]+)([\w.-]+):[ \t]*(["']?)([^"'\s]+)\3(?:[ \t]+#.*)?[ \t]*$/;
const SEPARATOR = '\n---';

/**
 * The YAML documents of a chunk (a `---` line starts a new one), found in one pass so that each
 * `kind: Secret` match looks its document up instead of searching for its bounds: a file of many
 * matches in one document must not rescan that document once per match.
 */
export class YamlDocuments {
  /** Offset of each document's first byte, ascending; a document ends where the next one's separator starts. */
  private readonly starts: number[] = [0];

  /** `text` is the chunk decoded as latin1, so string indices are byte offsets. */
  constructor(readonly text: string) {
    for (let i = text.indexOf(SEPARATOR); i >= 0; i = text.indexOf(SEPARATOR, i + 1)) this.starts.push(i + 1);
  }

  /** Index of the document holding byte offset `at`. */
  indexAt(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Values of the `data:`/`stringData:` blocks of document `index`. */
  secretValues(index: number): SecretDataValue[] {
    const docStart = this.starts[index]!;
    const docEnd = index + 1 < this.starts.length ? this.starts[index + 1]! - 1 : this.text.length;
    const doc = this.text.slice(docStart, docEnd);
    const out: SecretDataValue[] = [];
    BLOCK.lastIndex = 0;
    let block: RegExpExecArray | null;
    while ((block = BLOCK.exec(doc)) !== null) {
      const indent = block[1]!.length;
      const base64 = block[2] === 'data';
      let pos = block.index + block[0].length + 1;
      while (pos < doc.length) {
        let eol = doc.indexOf('\n', pos);
        if (eol < 0) eol = doc.length;
        const line = doc.slice(pos, eol).replace(/\r$/, '');
        if (line.trim() === '') {
          pos = eol + 1;
          continue;
        }
        const m = ENTRY.exec(line);
        if (!m || m[1]!.length <= indent) break;
        const valueAt = line.indexOf(m[4]!, m[1]!.length + m[2]!.length + 1);
        out.push({ key: m[2]!, start: docStart + pos + valueAt, end: docStart + pos + valueAt + m[4]!.length, value: m[4]!, base64 });
        pos = eol + 1;
      }
      // Entry lines are not block headers: go on after the last one read.
      if (pos > BLOCK.lastIndex) BLOCK.lastIndex = Math.min(pos, doc.length);
    }
    return out;
  }
}
