import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayName, ListingError, normalizeRepositoryUrl, type RepositoryRef } from './types.js';

/**
 * A list file: one repository per line, as a clone URL (https://, ssh://, git@host:path, file://)
 * or a path (relative to the list file's folder). Blank lines and `#` comments are skipped; a
 * repository listed twice is scanned once. A URL with a password or token in it is refused: the
 * list would carry it into the queue and into reports.
 */
export function readRepositoryList(file: string): RepositoryRef[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ListingError(`cannot read repository list ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseRepositoryList(text, file);
}

export function parseRepositoryList(text: string, file: string): RepositoryRef[] {
  const out: RepositoryRef[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    if (/\s/.test(line)) throw new ListingError(`${where}: one repository per line, got "${line}"`);
    const url = toCloneUrl(line, dirname(resolve(file)), where);
    const key = normalizeRepositoryUrl(url);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ url, name: displayName(url), source: 'list' });
  });
  return out;
}

function toCloneUrl(entry: string, base: string, where: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
    let u: URL;
    try {
      u = new URL(entry);
    } catch {
      throw new ListingError(`${where}: not a URL: ${entry}`);
    }
    if (u.password || (u.username && /^https?:$/.test(u.protocol))) {
      throw new ListingError(`${where}: credentials in a repository URL would be stored in the queue and reports; remove them and set GITHUB_TOKEN / GITLAB_TOKEN or a git credential helper`);
    }
    return entry;
  }
  if (/^[^@/:]+@[^/:]+:/.test(entry)) return entry; // git@host:owner/name
  return pathToFileURL(isAbsolute(entry) ? entry : resolve(base, entry)).href;
}
