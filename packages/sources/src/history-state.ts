import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { gitSync, type GitRepo } from './git.js';

/**
 * What has already been scanned of a repository: the tip of each ref at the last scan. The next
 * scan covers exactly the commits reachable from today's tips and from none of the tips scanned
 * before, so a push of two commits costs two commits, a new branch off main costs only its own
 * commits, and a force-push rescans only what is no longer reachable from earlier tips.
 * Kept per repository (and ref) by whatever runs the scan: the organisation scanner's store
 * (Redis for the queue, a local file for `org scan`), and `scan --history --since-last` in a small
 * file in the repository's git folder (`HistoryState`).
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

/** The tips `git log --all` starts from: every ref, and HEAD (a detached HEAD is a tip of its own). */
export function refTips(repo: GitRepo): RefTips {
  const tips: RefTips = {};
  const listed = gitSync(['for-each-ref', '--format=%(objectname) %(refname)'], repo);
  for (const line of listed.stdout.toString('utf8').split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) tips[line.slice(i + 1)] = line.slice(0, i);
  }
  const head = gitSync(['rev-parse', '--verify', '--quiet', 'HEAD'], repo);
  if (head.status === 0) tips.HEAD = head.stdout.toString('utf8').trim();
  return tips;
}

/** Which of `shas` exist in the repository (one `git cat-file --batch-check`). */
function presentObjects(repo: GitRepo, shas: readonly string[]): Set<string> {
  if (shas.length === 0) return new Set();
  const r = gitSync(['cat-file', '--batch-check=%(objectname)'], repo, `${shas.join('\n')}\n`);
  return new Set(r.stdout.toString('latin1').split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l)));
}

const STATE_FILE = 'tokenward-history.json';
/** Scopes kept per repository (rule sets × paths scanned incrementally); the oldest go first. */
const MAX_SCOPES = 8;

interface StateFile {
  version: 1;
  scopes: Record<string, { tips: RefTips; savedAt: string }>;
}

/**
 * `scan --history --since-last`: the ref tips of the last complete scan of this repository, kept
 * in its git folder (`<git dir>/tokenward-history.json`: never committed, never scanned, there in a
 * bare repository too, shared by its worktrees). `scope` names what was scanned (rule set, paths,
 * refs): a scan with other rules or paths starts from nothing, so a new rule also sees old commits.
 */
export class HistoryState {
  private constructor(
    private readonly file: string,
    private readonly scope: string,
    private readonly current: RefTips,
    private readonly scanned: RefTips,
    private readonly repo: GitRepo,
  ) {}

  /** `tips`: where this scan starts (default: every ref and HEAD, as `--history`). */
  static open(repo: GitRepo, scope: string, tips: RefTips = refTips(repo)): HistoryState {
    const common = gitSync(['rev-parse', '--git-common-dir'], repo).stdout.toString('utf8').trim() || repo.gitDir;
    const file = join(isAbsolute(common) ? common : resolve(repo.root, common), STATE_FILE);
    const state = readState(file);
    return new HistoryState(file, scope, tips, state.scopes[scope]?.tips ?? {}, repo);
  }

  /** Whether an earlier scan of this scope was recorded. */
  get known(): boolean {
    return Object.keys(this.scanned).length > 0;
  }

  /** Revisions for `git log` covering every commit not scanned before; undefined when none. */
  revisions(): string[] | undefined {
    // Which earlier tips still exist matters only when there is something new to scan: an
    // unchanged mirror with 12.8k refs skips a cat-file over all of them.
    let present: Set<string> | undefined;
    return unscannedRevisions(this.current, this.scanned, (sha) => (present ??= presentObjects(this.repo, Object.values(this.scanned))).has(sha));
  }

  /** Records today's tips as scanned (call after a complete scan). */
  save(): void {
    const state = readState(this.file);
    state.scopes[this.scope] = { tips: this.current, savedAt: new Date().toISOString() };
    const keep = Object.entries(state.scopes)
      .sort((a, b) => (a[1].savedAt < b[1].savedAt ? 1 : -1))
      .slice(0, MAX_SCOPES);
    state.scopes = Object.fromEntries(keep);
    mkdirSync(resolve(this.file, '..'), { recursive: true });
    // Write then rename: a concurrent run never reads half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state)}\n`);
    renameSync(tmp, this.file);
  }
}

function readState(file: string): StateFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as StateFile;
    if (parsed.version === 1 && parsed.scopes && typeof parsed.scopes === 'object') return parsed;
  } catch {
    // No state yet, or unreadable: everything is scanned (and the file rewritten after).
  }
  return { version: 1, scopes: {} };
}
