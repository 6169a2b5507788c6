import type { Confidence, Finding, Severity } from '@tokenward/engine';

/** What a read-only check said about a secret, when it was first found (the secret itself is not kept). */
export interface VerifiedStatus {
  status: 'active' | 'inactive' | 'unknown';
  checkedAt: string;
  detail?: string;
}

/**
 * A finding as stored in Redis, the local state file and reports: the redacted value and the
 * fingerprint, never the secret. One per secret per repository, at its first introduction.
 */
export interface StoredFinding {
  fingerprint: string;
  ruleId: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  redacted: string;
  commit: string;
  path: string;
  line: number;
  column: number;
  author?: string;
  /** Author date of `commit` (ISO 8601): the secret's age. */
  date?: string;
  /** Commits that introduced it in this repository. */
  occurrences: number;
  /** Still in the tree of the repository's HEAD (default branch). */
  presentAtHead: boolean;
  verified?: VerifiedStatus;
}

/** Field by field, so a raw secret (`secret`, `partSecrets`) can never be carried along. */
export function storedFinding(f: Finding, verified?: VerifiedStatus): StoredFinding {
  const out: StoredFinding = {
    fingerprint: f.fingerprint,
    ruleId: f.ruleId,
    provider: f.provider,
    title: f.title,
    severity: f.severity,
    confidence: f.confidence,
    redacted: f.redacted,
    commit: f.origin.commit ?? '',
    path: f.origin.path,
    line: f.start.line,
    column: f.start.column,
    occurrences: f.occurrences ?? 1,
    presentAtHead: f.presentAtHead ?? false,
  };
  if (f.origin.author !== undefined) out.author = f.origin.author;
  if (f.origin.date !== undefined) out.date = f.origin.date;
  if (verified) out.verified = verified;
  return out;
}

/** Where and when a secret was introduced. */
export type Introduction = Pick<StoredFinding, 'date' | 'commit' | 'path' | 'line'>;

const time = (f: Introduction): number => (f.date ? Date.parse(f.date) : Number.POSITIVE_INFINITY);

/** True when `a` was introduced before `b` (then by commit id, so the order never depends on arrival). */
export function introducedBefore(a: Introduction, b: Introduction): boolean {
  const ta = time(a);
  const tb = time(b);
  return ta < tb || (ta === tb && (a.commit < b.commit || (a.commit === b.commit && (a.path < b.path || (a.path === b.path && a.line < b.line)))));
}

/**
 * Folds one scan's findings (of commits not scanned before) into a repository's stored findings;
 * returns only the entries that change. `atHead`, when given, is the set of fingerprints in HEAD's
 * tree now, for secrets found earlier and not seen again.
 */
export function mergeRepositoryFindings(
  existing: ReadonlyMap<string, StoredFinding>,
  found: readonly StoredFinding[],
  atHead?: ReadonlySet<string>,
): Map<string, StoredFinding> {
  const changed = new Map<string, StoredFinding>();
  for (const f of found) {
    const old = changed.get(f.fingerprint) ?? existing.get(f.fingerprint);
    if (!old) {
      changed.set(f.fingerprint, f);
      continue;
    }
    const first = introducedBefore(f, old) ? f : old;
    const merged: StoredFinding = { ...first, occurrences: old.occurrences + f.occurrences, presentAtHead: f.presentAtHead };
    const verified = old.verified ?? f.verified;
    if (verified) merged.verified = verified;
    changed.set(f.fingerprint, merged);
  }
  if (atHead) {
    for (const [fp, old] of existing) {
      if (changed.has(fp) || old.presentAtHead === atHead.has(fp)) continue;
      changed.set(fp, { ...old, presentAtHead: atHead.has(fp) });
    }
  }
  return changed;
}
