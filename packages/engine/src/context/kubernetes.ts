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

/**
 * Values of the `data:`/`stringData:` blocks of the YAML document holding byte offset `at`.
 * `text` is the chunk decoded as latin1, so string indices are byte offsets.
 */
export function kubernetesSecretValues(text: string, at: number): SecretDataValue[] {
  const docStart = Math.max(0, text.lastIndexOf('\n---', at) + 1);
  let docEnd = text.indexOf('\n---', at);
  if (docEnd < 0) docEnd = text.length;
  const doc = text.slice(docStart, docEnd);
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
  }
  return out;
}
