import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { BaselineIndex, isLegacyFingerprint, legacyFingerprint, type BaselineEntry, type Finding } from '@tokenward/engine';
import { UsageError } from './errors.js';
import { parseSettings } from './yaml-data.js';

/**
 * A baseline is a list of accepted findings keyed by fingerprint (scrypt of the secret salted by
 * the rule id), never by line. It holds no secret and nothing a secret can be cheaply guessed
 * from: fingerprint, rule id, where it was seen, and an optional note.
 */
export interface BaselineDocument {
  tool: 'tokenward';
  version: 1;
  entries: BaselineEntry[];
}

export const baselineSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'entries'],
  properties: {
    $schema: { type: 'string' },
    tool: { const: 'tokenward' },
    version: { const: 1 },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['fingerprint', 'ruleId', 'path'],
        properties: {
          // 40 hex characters; 32 for entries written by versions before the scrypt fingerprint.
          fingerprint: { type: 'string', pattern: '^(?:[0-9a-f]{40}|[0-9a-f]{32})$' },
          ruleId: { type: 'string', minLength: 1 },
          path: { type: 'string' },
          commit: { type: 'string', pattern: '^[0-9a-f]{4,64}$' },
          note: { type: 'string' },
        },
      },
    },
  },
} as const;

export interface LoadedBaseline {
  file: string;
  entries: BaselineEntry[];
  index: BaselineIndex;
}

/** Reads and validates a baseline; problems name the file, line and key. */
export function readBaseline(file: string): LoadedBaseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `baseline not found: ${file} (create it with 'tokenward baseline --output ${file}')` : `cannot read baseline ${file}: ${code ?? (e as Error).message}`);
  }
  const doc = parseSettings<BaselineDocument>(text, file, baselineSchema).data;
  return { file, entries: doc.entries, index: new BaselineIndex(doc.entries) };
}

const posix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

export interface BaselineEntryOptions {
  /** Folder the finding paths are relative to (the scan's working directory). */
  cwd: string;
  /** The baseline file: entry paths are written relative to its folder, so the file can move with the repository. */
  baselineFile: string;
  note?: string;
}

/** The entry for a finding: only fingerprint, rule id, path, commit and note. */
export function baselineEntryFor(f: Finding, o: BaselineEntryOptions): BaselineEntry {
  let path = f.origin.path;
  if (!path.startsWith('<')) {
    const abs = isAbsolute(path) ? path : resolve(o.cwd, path);
    path = posix(relative(dirname(resolve(o.baselineFile)), abs));
  }
  return {
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    path,
    ...(f.origin.commit ? { commit: f.origin.commit } : {}),
    ...(o.note ? { note: o.note } : {}),
  };
}

/** Absolute path an entry refers to (entries store paths relative to the baseline's folder). */
export function baselineEntryPath(entry: BaselineEntry, baselineFile: string): string {
  return entry.path.startsWith('<') ? entry.path : resolve(dirname(resolve(baselineFile)), entry.path);
}

const entryKey = (e: BaselineEntry) => `${e.fingerprint}\0${e.path}`;

function sortEntries(entries: BaselineEntry[]): BaselineEntry[] {
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
}

/** One entry per (fingerprint, path), sorted, so the file diffs well in review. */
export function normalizeEntries(entries: readonly BaselineEntry[]): BaselineEntry[] {
  const seen = new Map<string, BaselineEntry>();
  for (const e of entries) {
    const prev = seen.get(entryKey(e));
    if (!prev) seen.set(entryKey(e), { ...e });
    else if (!prev.note && e.note) prev.note = e.note;
  }
  return sortEntries([...seen.values()]);
}

export function formatBaseline(entries: readonly BaselineEntry[]): string {
  const doc: BaselineDocument = { tool: 'tokenward', version: 1, entries: normalizeEntries(entries) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function writeBaseline(file: string, entries: readonly BaselineEntry[]): void {
  try {
    writeFileSync(file, formatBaseline(entries));
  } catch (e) {
    throw new UsageError(`cannot write baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export interface BaselineUpdate {
  entries: BaselineEntry[];
  added: number;
  removed: number;
  kept: number;
}

/** Entries of earlier versions (SHA-256 fingerprints) whose secret is among `findings` get the
 * current fingerprint: rewritten, not dropped and re-added, so they keep their note. */
function migrateLegacy(entries: readonly BaselineEntry[], findings: readonly Finding[]): readonly BaselineEntry[] {
  if (!entries.some((e) => isLegacyFingerprint(e.fingerprint))) return entries;
  const current = new Map<string, string>();
  for (const f of findings) current.set(legacyFingerprint(f.ruleId, f.secret), f.fingerprint);
  return entries.map((e) => {
    const fp = isLegacyFingerprint(e.fingerprint) ? current.get(e.fingerprint) : undefined;
    return fp ? { ...e, fingerprint: fp } : e;
  });
}

/**
 * The baseline after accepting `findings`: every current finding gets an entry (an existing entry's
 * note is kept), and an old entry is dropped when its secret is gone from a place this scan
 * `covers` (entries for files outside the scan are left alone).
 */
export function updateBaselineEntries(existing: readonly BaselineEntry[], findings: readonly Finding[], o: BaselineEntryOptions & { covers: (entry: BaselineEntry) => boolean }): BaselineUpdate {
  const current = normalizeEntries(findings.map((f) => baselineEntryFor(f, { ...o, note: undefined })));
  const old = normalizeEntries(migrateLegacy(existing, findings));
  const noteByFingerprint = new Map<string, string>();
  for (const e of old) if (e.note && !noteByFingerprint.has(e.fingerprint)) noteByFingerprint.set(e.fingerprint, e.note);
  const oldKeys = new Set(old.map(entryKey));
  let added = 0;
  const out: BaselineEntry[] = [];
  for (const e of current) {
    const note = noteByFingerprint.get(e.fingerprint) ?? o.note;
    out.push(note ? { ...e, note } : e);
    if (!oldKeys.has(entryKey(e))) added++;
  }
  const currentKeys = new Set(current.map(entryKey));
  let removed = 0;
  let kept = 0;
  for (const e of old) {
    if (currentKeys.has(entryKey(e))) {
      kept++;
      continue;
    }
    // A place this scan did not look at: keep it. (A secret that moved got its new entry above,
    // with the old note.)
    if (!o.covers(e)) {
      out.push(e);
      kept++;
    } else removed++;
  }
  return { entries: normalizeEntries(out), added, removed, kept };
}
