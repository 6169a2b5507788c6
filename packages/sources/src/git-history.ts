import type { Finding } from '@tokenward/engine';
import { UsageError } from '@tokenward/project';
import { emptyStats, Tally, type SourceResult } from './chunk.js';
import { CatFileBatch, gitStream, gitSync, hasHead, isZeroSha, LOW_MEMORY_PACK_ACCESS, shallowCommits, type GitRepo } from './git.js';
import type { ChunkPool } from './pool.js';
import type { Source, SourceScanOptions } from './source.js';

/**
 * Git history as a source. How it works (and why):
 *  1. One `git log --raw` stream lists, per commit, each changed path with its old and new blob
 *     id, plus the commit's author, date and message. No diffs are computed: git's diff is the
 *     expensive part of `git log -p`.
 *  2. Each blob id seen for the first time goes straight to one `git cat-file --batch` process,
 *     so every unique blob is read once and scanned once, as a whole file (line numbers are the
 *     line in that commit's version; context rules see the whole file, not a 0-line hunk).
 *  3. Blobs are scanned by a worker pool while git is still walking history.
 *  Measured on a 30,000-commit repository (190 MB pack, scripts/make-history-repo.mjs), 2 cores:
 *  `git log -p -U0 --all` alone takes 7.8–8.6 s (7 s CPU, one thread: git's diff), while
 *  `git log --raw` takes 1.3 s and `git cat-file --batch` over all 57k unique blobs 2.2 s; the
 *  blobs hold 4× the bytes of the patch text, but scanning them splits across workers and git's
 *  diff cannot. Whole scan: 0.70–1.30× of `git log -p` depending on machine load (docs/ci.md).
 *  Tried and dropped: scanning only the changed part of each blob against its previous version
 *  (a third fewer bytes, no measurable gain, +130 MB RSS) and `cat-file --buffer` (git then
 *  writes 4 KB pieces: slower).
 *  4. Afterwards, a secret counts as *introduced* by a commit when the file's new version holds
 *     it and the old version did not. Findings are merged by fingerprint (rule + secret): one
 *     finding per secret, at its earliest introduction, with the number of introductions.
 */

export interface HistoryScanOptions {
  /** Revision arguments for `git log`: `['--all']`, `['main']`, `['A..B']`, `['sha', '^base']`. */
  revs: string[];
  /** Limit to these paths (git pathspecs, relative to the repository root). */
  pathspec?: string[];
  /** Repository path → path shown in reports. */
  display: (repoPath: string) => string;
}

interface CommitInfo {
  sha: string;
  author: string;
  date: string;
  /** Committer time (seconds): orders introductions. */
  time: number;
  /** Position in git's output (newer first): breaks time ties. */
  index: number;
}

/** One changed path in one commit, kept only until blobs are scanned. */
interface Change {
  commit: number;
  path: string;
  oldBlob: string;
  newBlob: string;
}

interface Introduction {
  commit: CommitInfo;
  finding: Finding;
  /** Repository path; undefined for a commit message. */
  path?: string;
}

export const COMMIT_MESSAGE_PATH = '<commit message>';
const SUBMODULE_MODE = '160000';

/** Splits the NUL-separated `git log -z --raw` stream into tokens, across chunk boundaries. */
class NulTokenizer {
  private rest: Buffer = Buffer.alloc(0);
  constructor(private readonly onToken: (token: Buffer) => void) {}
  push(chunk: Buffer): void {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    let pos = 0;
    for (let nul = buf.indexOf(0, pos); nul !== -1; nul = buf.indexOf(0, pos)) {
      this.onToken(buf.subarray(pos, nul));
      pos = nul + 1;
    }
    this.rest = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }
  end(): void {
    if (this.rest.length) this.onToken(this.rest);
    this.rest = Buffer.alloc(0);
  }
}

/** Fields after the commit id in our `--format`: author name, email, ISO date, committer time, message. */
const FORMAT = '%x01%H%x00%an%x00%ae%x00%aI%x00%ct%x00%B%x00';
const HEADER_FIELDS = 5;

/** Refuses history scans that would silently miss commits in a shallow clone. */
function checkShallow(repo: GitRepo, revs: readonly string[]): void {
  const shallow = shallowCommits(repo);
  if (shallow.size === 0) return;
  const listed = gitSync(['rev-list', ...revs, '--'], repo);
  if (listed.status !== 0) return; // the log itself will report the bad revision
  const boundary = listed.stdout
    .toString('latin1')
    .split('\n')
    .find((sha) => shallow.has(sha));
  if (boundary) {
    throw new UsageError(
      `shallow clone: history before commit ${boundary.slice(0, 12)} is missing, so its changes cannot be scanned. ` +
        `Fetch the full history first (git fetch --unshallow; in GitHub Actions use actions/checkout with fetch-depth: 0)`,
    );
  }
}

/** Git history (or a pre-push range) as a source: each unique blob and each commit message a chunk. */
export class GitHistorySource implements Source {
  constructor(
    private readonly repo: GitRepo,
    private readonly options: HistoryScanOptions,
  ) {}

  scan(pool: ChunkPool, options: SourceScanOptions = {}): Promise<SourceResult> {
    return scanGitHistory(pool, this.repo, this.options, options);
  }
}

async function scanGitHistory(pool: ChunkPool, repo: GitRepo, options: HistoryScanOptions, scanOptions: SourceScanOptions): Promise<SourceResult> {
  checkShallow(repo, options.revs);
  const tally = new Tally(scanOptions.onProgress, { ...emptyStats(), commits: 0 });
  const { stats } = tally;

  const commits: CommitInfo[] = [];
  const changes: Change[] = [];
  const requested = new Set<string>();
  /** Findings of each blob that has any, before a commit and path are attached. */
  const blobFindings = new Map<string, Finding[]>();
  const messageIntros: Introduction[] = [];
  /** A representative path per blob, for problem messages. */
  const blobPath = new Map<string, string>();

  pool.plan({ streaming: true });
  const onBlob = (sha: string, type: string, bytes: Buffer | undefined) => {
    const shown = blobPath.get(sha) ?? sha;
    if (!bytes || type !== 'blob') {
      tally.problems.push({ path: shown, message: `git object ${sha.slice(0, 12)} is ${bytes ? `a ${type}` : 'missing'}` });
      return;
    }
    // The blob's findings carry no path yet: each change that brought the blob supplies one.
    pool.scan({ origin: { path: '', kind: 'git-blob', blob: sha }, bytes }, (outcome) => {
      if (outcome.kind === 'scanned' && outcome.findings.length) blobFindings.set(sha, outcome.findings);
      tally.add(outcome.kind === 'skipped' ? `${shown} (blob ${sha.slice(0, 12)})` : shown, outcome, false);
    });
  };
  const cat = new CatFileBatch(repo, onBlob);
  // Back-pressure: when the workers fall behind, git waits on its pipe.
  pool.onBusy((busy) => (busy ? cat.pause() : cat.resume()));

  // --- walk history ---
  let header: Buffer[] | undefined;
  let pendingMeta: string | undefined;
  let waitDrain: Promise<void> | undefined;
  const logArgs = [
    ...LOW_MEMORY_PACK_ACCESS,
    '-c',
    'core.quotePath=false',
    'log',
    '--raw',
    '--no-abbrev',
    '-z',
    '--no-renames',
    '--no-textconv',
    '--no-ext-diff',
    // Merges: show what the merge brought relative to its first parent, so content that only
    // appears in a merge (conflict resolutions) is scanned too.
    '--diff-merges=first-parent',
    `--format=${FORMAT}`,
    ...options.revs,
    '--',
    ...(options.pathspec ?? []),
  ];
  const onToken = (raw: Buffer) => {
    // Records are separated by NUL and a newline: drop that newline.
    const token = raw.length && raw[0] === 10 ? raw.subarray(1) : raw;
    if (header) {
      header.push(token);
      if (header.length === HEADER_FIELDS + 1) {
        const [sha, name, email, date, time, message] = header;
        const commit: CommitInfo = {
          sha: sha!.toString('latin1'),
          author: `${name!.toString('utf8')} <${email!.toString('utf8')}>`,
          date: date!.toString('latin1'),
          time: Number(time!.toString('latin1')),
          index: commits.length,
        };
        commits.push(commit);
        stats.commits!++;
        header = undefined;
        // Messages are small and their order matters here: scanned in this thread, as they come.
        const outcome = pool.scanHere({ origin: { path: COMMIT_MESSAGE_PATH, kind: 'git-message', commit: commit.sha }, bytes: message!, text: true });
        if (outcome.kind === 'scanned') for (const f of outcome.findings) messageIntros.push({ commit, finding: f });
      }
      return;
    }
    if (pendingMeta !== undefined) {
      const meta = pendingMeta;
      pendingMeta = undefined;
      // ":<old mode> <new mode> <old id> <new id> <status>"
      const [, newMode, oldBlob, newBlob] = meta.slice(1).split(' ');
      if (!newBlob || isZeroSha(newBlob) || newMode === SUBMODULE_MODE) return;
      const path = token.toString('utf8');
      changes.push({ commit: commits.length - 1, path, oldBlob: oldBlob!, newBlob });
      if (!requested.has(newBlob)) {
        requested.add(newBlob);
        blobPath.set(newBlob, path);
        if (!cat.request(newBlob)) waitDrain ??= cat.drained().then(() => (waitDrain = undefined));
      }
      return;
    }
    if (token.length === 0) return;
    if (token[0] === 1) header = [token.subarray(1)];
    else if (token[0] === 58 /* ':' */) pendingMeta = token.toString('latin1');
  };
  const tokenizer = new NulTokenizer(onToken);
  const log = gitStream(logArgs, repo, (chunk) => {
    tokenizer.push(chunk);
    // Back-pressure: when cat-file cannot keep up, stop reading the log for a moment.
    if (waitDrain) {
      log.proc.stdout.pause();
      void waitDrain.then(() => log.proc.stdout.resume());
    }
  });
  try {
    await log.done.catch((e: Error) => {
      throw new UsageError(e.message.replace(/^git log failed: /, ''));
    });
    tokenizer.end();
    cat.end();
    await cat.done;
    await pool.drain();
  } catch (e) {
    cat.kill();
    throw e;
  }

  // --- attribute findings to the commits that introduced them ---
  const fingerprintsOf = (blob: string): Set<string> | undefined => {
    const found = blobFindings.get(blob);
    return found ? new Set(found.map((f) => f.fingerprint)) : undefined;
  };
  // Old versions from before a revision range were never read: fetch the few that matter.
  const missingOld = new Set<string>();
  for (const c of changes) {
    if (blobFindings.has(c.newBlob) && !isZeroSha(c.oldBlob) && !requested.has(c.oldBlob)) missingOld.add(c.oldBlob);
  }
  if (missingOld.size) await scanBlobs(repo, pool, [...missingOld], requested, onBlob);
  await pool.drain();

  const intros: Introduction[] = [...messageIntros];
  for (const c of changes) {
    const found = blobFindings.get(c.newBlob);
    if (!found) continue;
    const before = isZeroSha(c.oldBlob) ? undefined : fingerprintsOf(c.oldBlob);
    const seen = new Set<string>();
    for (const f of found) {
      if (before?.has(f.fingerprint) || seen.has(f.fingerprint)) continue;
      seen.add(f.fingerprint);
      // The blob's findings carry no path: the change supplies it.
      intros.push({ commit: commits[c.commit]!, finding: f, path: c.path });
    }
  }

  const merged = new Map<string, { first: Introduction; count: number }>();
  for (const intro of intros) {
    const fp = intro.finding.fingerprint;
    const m = merged.get(fp);
    if (!m) merged.set(fp, { first: intro, count: 1 });
    else {
      m.count++;
      const a = intro.commit;
      const b = m.first.commit;
      if (a.time < b.time || (a.time === b.time && a.index > b.index)) m.first = intro;
    }
  }

  const atHead = merged.size ? await fingerprintsAtHead(repo, pool, requested, blobFindings, onBlob, options.pathspec) : new Set<string>();

  const findings: Finding[] = [];
  for (const [fp, { first, count }] of merged) {
    const f = first.finding;
    const c = first.commit;
    findings.push({
      ...f,
      origin: {
        // A blob's findings carry only what follows its path (`!inner/path` in an archive).
        path: first.path !== undefined ? options.display(first.path) + f.origin.path : COMMIT_MESSAGE_PATH,
        kind: first.path !== undefined ? 'git-blob' : 'git-message',
        commit: c.sha,
        author: c.author,
        date: c.date,
      },
      occurrences: count,
      presentAtHead: atHead.has(fp),
    });
  }
  findings.sort((a, b) => (a.origin.date! < b.origin.date! ? -1 : a.origin.date! > b.origin.date! ? 1 : 0) || (a.origin.path < b.origin.path ? -1 : a.origin.path > b.origin.path ? 1 : 0) || a.byteOffset - b.byteOffset);
  stats.findings = findings.length;
  return { ...tally.finish(), findings };
}

/** Reads and scans a list of blobs with one extra cat-file process. */
async function scanBlobs(repo: GitRepo, pool: ChunkPool, blobs: string[], requested: Set<string>, onBlob: (sha: string, type: string, bytes: Buffer | undefined) => void): Promise<void> {
  const cat = new CatFileBatch(repo, onBlob);
  for (const b of blobs) {
    requested.add(b);
    if (!cat.request(b)) await cat.drained();
  }
  cat.end();
  await cat.done;
  await pool.drain();
}

/** Fingerprints found in HEAD's tree: blobs already scanned are looked up, others read now. */
async function fingerprintsAtHead(
  repo: GitRepo,
  pool: ChunkPool,
  requested: Set<string>,
  blobFindings: Map<string, Finding[]>,
  onBlob: (sha: string, type: string, bytes: Buffer | undefined) => void,
  pathspec: string[] | undefined,
): Promise<Set<string>> {
  const out = new Set<string>();
  if (!hasHead(repo)) return out;
  const tree = gitSync(['ls-tree', '-r', '-z', '--full-tree', 'HEAD', '--', ...(pathspec ?? [])], repo);
  if (tree.status !== 0) return out;
  const blobs: string[] = [];
  for (const entry of tree.stdout.toString('utf8').split('\0')) {
    // "<mode> blob <id>\t<path>"
    const m = /^\d+ blob ([0-9a-f]+)\t/.exec(entry);
    if (m) blobs.push(m[1]!);
  }
  const unread = [...new Set(blobs.filter((b) => !requested.has(b)))];
  if (unread.length) await scanBlobs(repo, pool, unread, requested, onBlob);
  for (const b of blobs) for (const f of blobFindings.get(b) ?? []) out.add(f.fingerprint);
  return out;
}
