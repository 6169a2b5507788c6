/**
 * What has already been scanned of a repository: the tip of each ref at the last scan. The next
 * scan covers exactly the commits reachable from today's tips and from none of the tips scanned
 * before, so a push of two commits costs two commits, a new branch off main costs only its own
 * commits, and a force-push rescans only what is no longer reachable from earlier tips.
 * Kept per repository (and ref) by whatever store runs the scan: Redis for the queue, a local file
 * for `org scan`; `scan --history --since-last` can keep the same record for one repository.
 */

/** Ref name (`refs/heads/main`, `refs/tags/v1`) → object id of its tip. */
export type RefTips = Record<string, string>;

/**
 * `git log` revision arguments for the commits not scanned yet, or undefined when there are none.
 * `present` says whether an earlier tip still exists locally: a tip lost to a force-push and
 * garbage collection cannot be excluded (its commits are then scanned again; findings are merged
 * by fingerprint, so nothing is doubled).
 */
export function unscannedRevisions(current: RefTips, scanned: RefTips, present: (sha: string) => boolean): string[] | undefined {
  const before = new Set(Object.values(scanned));
  const fresh = [...new Set(Object.values(current))].filter((sha) => !before.has(sha)).sort();
  if (fresh.length === 0) return undefined;
  const exclude = [...before].filter(present).sort();
  return [...fresh, ...exclude.map((sha) => `^${sha}`)];
}

