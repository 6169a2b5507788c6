import type { Finding } from '@tokenward/engine';
import { UsageError } from '@tokenward/project';
import { emptyStats, Tally, type SourceResult } from './chunk.js';
import { CatFileBatch, gitStream, gitSync, hasHead, isZeroSha, LOW_MEMORY_PACK_ACCESS, shallowCommits, type CatFileAnswer, type GitRepo } from './git.js';
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
 *     it and the old version did not. Findings are merged by rule + secret (what a fingerprint
 *     is made of; the slow fingerprint itself is computed only for what is reported): one finding
 *     per secret, at its earliest introduction, with the number of introductions.
 *  Memory stays bounded on long histories (prettier's 48.9k commits, 400k objects): blob ids and
 *  paths are numbered once, each change is four integers, and a change whose blob is already
 *  known clean is not kept at all.
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

interface Introduction {
  commit: CommitInfo;
  finding: Finding;
  /** Repository path; undefined for a commit message. */
  path?: string;
}

export const COMMIT_MESSAGE_PATH = '<commit message>';
const SUBMODULE_MODE = '160000';

/** A secret's identity while findings are merged: what its fingerprint is computed from. */
const identity = (f: Finding): string => `${f.ruleId}\0${f.secret}`;

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

/** A growable column of 32-bit integers (one field of every kept change). */
class IntColumn {
  private data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  at(i: number): number {
    return this.data[i]!;
  }
}

/** Strings numbered in the order first seen (blob ids, paths): each stored once. */
class Numbering {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
  find(value: string): number | undefined {
    return this.ids.get(value);
  }
}

/** What is known about a blob's content. */
const enum BlobState {
  Unread = 0,
  Requested = 1,
  /** Scanned (or binary, skipped, unreadable): no finding. */
  Clean = 2,
  HasFindings = 3,
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

/**
 * Blobs read through one cat-file process and scanned by the pool; each blob's findings (without
 * a path: every change that brought the blob supplies one) are kept by blob number.
 */
class BlobScanner {
  readonly blobs = new Numbering();
  private state = new Uint8Array(1024);
  readonly findings = new Map<number, Finding[]>();
  /** Paths of the blobs asked for and not answered yet, in order (cat-file answers in order). */
  private shownQueue: string[] = [];
  private shownHead = 0;

  constructor(
    private readonly repo: GitRepo,
    private readonly pool: ChunkPool,
    private readonly tally: Tally,
  ) {}

  stateOf(id: number): BlobState {
    return id < this.state.length ? this.state[id]! : BlobState.Unread;
  }

  private setState(id: number, s: BlobState): void {
    if (id >= this.state.length) {
      let n = this.state.length;
      while (n <= id) n *= 2;
      const bigger = new Uint8Array(n);
      bigger.set(this.state);
      this.state = bigger;
    }
    this.state[id] = s;
  }

  /** A cat-file reader whose answers are scanned; `shown` names a blob in problem lists. */
  reader(): { request: (id: number, shown: string) => boolean; cat: CatFileBatch } {
    const cat = new CatFileBatch(this.repo, (a) => this.answered(a));
    return {
      cat,
      request: (id, shown) => {
        this.setState(id, BlobState.Requested);
        this.shownQueue.push(shown);
        return cat.request(this.blobs.values[id]!);
      },
    };
  }

  private answered(a: CatFileAnswer): void {
    const shown = this.shownQueue[this.shownHead++] ?? a.id;
    if (this.shownHead > 4096 && this.shownHead * 2 > this.shownQueue.length) {
      this.shownQueue = this.shownQueue.slice(this.shownHead);
      this.shownHead = 0;
    }
    const id = this.blobs.id(a.id);
    const { tally } = this;
    if (!a.bytes || a.type !== 'blob') {
      this.setState(id, BlobState.Clean);
      const why = a.bytes ? `is a ${a.type}` : a.type === 'missing' ? 'is missing' : `cannot be read: ${a.message}`;
      tally.problems.push({ path: shown, message: `git object ${a.id.slice(0, 12)} ${why}` });
      tally.stats.unreadable++;
      return;
    }
    this.pool.scan({ origin: { path: '', kind: 'git-blob', blob: a.id }, bytes: a.bytes }, (outcome) => {
      if (outcome.kind === 'scanned' && outcome.findings.length) {
        this.findings.set(id, outcome.findings);
        this.setState(id, BlobState.HasFindings);
      } else this.setState(id, BlobState.Clean);
      tally.add(outcome.kind === 'skipped' ? `${shown} (blob ${a.id.slice(0, 12)})` : shown, outcome, false);
    });
  }

  /** Reads and scans a list of blobs with one extra cat-file process. */
  async scanAll(ids: number[]): Promise<void> {
    const { request, cat } = this.reader();
    for (const id of ids) if (!request(id, this.blobs.values[id]!)) await cat.drained();
    cat.end();
    await cat.done;
    await this.pool.drain();
  }

  /** Identities of the secrets a blob holds (undefined: none, or never read). */
  identitiesOf(id: number): Set<string> | undefined {
    const found = this.findings.get(id);
    return found ? new Set(found.map(identity)) : undefined;
  }
}

async function scanGitHistory(pool: ChunkPool, repo: GitRepo, options: HistoryScanOptions, scanOptions: SourceScanOptions): Promise<SourceResult> {
  checkShallow(repo, options.revs);
  const tally = new Tally(scanOptions.onProgress, { ...emptyStats(), commits: 0 });
  const { stats } = tally;

  const commits: CommitInfo[] = [];
  const blobs = new BlobScanner(repo, pool, tally);
  const paths = new Numbering();
  /** Changes that may introduce a secret: commit, path, old and new blob (-1: none). */
  const changes = { commit: new IntColumn(), path: new IntColumn(), oldBlob: new IntColumn(), newBlob: new IntColumn() };
  const messageIntros: Introduction[] = [];

  pool.plan({ streaming: true });
  const { request, cat } = blobs.reader();
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
      const [, newMode, oldSha, newSha] = meta.slice(1).split(' ');
      if (!newSha || isZeroSha(newSha) || newMode === SUBMODULE_MODE) return;
      const newBlob = blobs.blobs.id(newSha);
      const state = blobs.stateOf(newBlob);
      // A blob already scanned clean cannot introduce anything: nothing to keep.
      if (state === BlobState.Clean) return;
      const path = token.toString('utf8');
      changes.commit.push(commits.length - 1);
      changes.path.push(paths.id(path));
      changes.oldBlob.push(isZeroSha(oldSha!) ? -1 : blobs.blobs.id(oldSha!));
      changes.newBlob.push(newBlob);
      if (state === BlobState.Unread && !request(newBlob, path)) waitDrain ??= cat.drained().then(() => (waitDrain = undefined));
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
      const why = e.message.replace(/^git log failed: /, '');
      // A bad revision is the user's mistake; a walk that broke off in a damaged repository
      // still reports what it read, with git's complaint.
      if (commits.length === 0) throw new UsageError(why);
      tally.problems.push({ path: '<git log>', message: `history walk stopped after ${commits.length} commits: ${why}` });
      tally.stats.unreadable++;
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
  const n = changes.commit.length;
  // Old versions from before a revision range were never read: fetch the few that matter.
  const missingOld = new Set<number>();
  for (let i = 0; i < n; i++) {
    const old = changes.oldBlob.at(i);
    if (old >= 0 && blobs.findings.has(changes.newBlob.at(i)) && blobs.stateOf(old) === BlobState.Unread) missingOld.add(old);
  }
  if (missingOld.size) await blobs.scanAll([...missingOld]);

  const intros: Introduction[] = [...messageIntros];
  for (let i = 0; i < n; i++) {
    const found = blobs.findings.get(changes.newBlob.at(i));
    if (!found) continue;
    const old = changes.oldBlob.at(i);
    const before = old < 0 ? undefined : blobs.identitiesOf(old);
    const seen = new Set<string>();
    const path = paths.values[changes.path.at(i)]!;
    for (const f of found) {
      const key = identity(f);
      if (before?.has(key) || seen.has(key)) continue;
      seen.add(key);
      // The blob's findings carry no path: the change supplies it.
      intros.push({ commit: commits[changes.commit.at(i)]!, finding: f, path });
    }
  }

  const merged = new Map<string, { first: Introduction; count: number }>();
  for (const intro of intros) {
    const key = identity(intro.finding);
    const m = merged.get(key);
    if (!m) merged.set(key, { first: intro, count: 1 });
    else {
      m.count++;
      const a = intro.commit;
      const b = m.first.commit;
      if (a.time < b.time || (a.time === b.time && a.index > b.index)) m.first = intro;
    }
  }

  const atHead = merged.size ? await identitiesAtHead(repo, blobs, options.pathspec) : new Set<string>();

  const findings: Finding[] = [];
  for (const [key, { first, count }] of merged) {
    const f = first.finding;
    const c = first.commit;
    findings.push(
      withOrigin(f, {
        origin: {
          // A blob's findings carry only what follows its path (`!inner/path` in an archive).
          path: first.path !== undefined ? options.display(first.path) + f.origin.path : COMMIT_MESSAGE_PATH,
          kind: first.path !== undefined ? 'git-blob' : 'git-message',
          commit: c.sha,
          author: c.author,
          date: c.date,
        },
        occurrences: count,
        presentAtHead: atHead.has(key),
      }),
    );
  }
  findings.sort((a, b) => (a.origin.date! < b.origin.date! ? -1 : a.origin.date! > b.origin.date! ? 1 : 0) || (a.origin.path < b.origin.path ? -1 : a.origin.path > b.origin.path ? 1 : 0) || a.byteOffset - b.byteOffset);
  stats.findings = findings.length;
  return { ...tally.finish(), findings };
}

/** A copy of a finding placed in history; its fingerprint stays lazy (computed when reported). */
function withOrigin(f: Finding, place: Pick<Finding, 'origin' | 'occurrences' | 'presentAtHead'>): Finding {
  const copy = Object.create(Object.getPrototypeOf(f) as object | null, Object.getOwnPropertyDescriptors(f)) as Finding;
  return Object.assign(copy, place);
}

/** Identities of the secrets in HEAD's tree: blobs already scanned are looked up, others read now. */
async function identitiesAtHead(repo: GitRepo, blobs: BlobScanner, pathspec: string[] | undefined): Promise<Set<string>> {
  const out = new Set<string>();
  if (!hasHead(repo)) return out;
  const tree = gitSync(['ls-tree', '-r', '-z', '--full-tree', 'HEAD', '--', ...(pathspec ?? [])], repo);
  if (tree.status !== 0) return out;
  const ids: number[] = [];
  for (const entry of tree.stdout.toString('utf8').split('\0')) {
    // "<mode> blob <id>\t<path>"
    const m = /^\d+ blob ([0-9a-f]+)\t/.exec(entry);
    if (m) ids.push(blobs.blobs.id(m[1]!));
  }
  const unread = [...new Set(ids.filter((id) => blobs.stateOf(id) === BlobState.Unread))];
  if (unread.length) await blobs.scanAll(unread);
  for (const id of ids) for (const f of blobs.findings.get(id) ?? []) out.add(identity(f));
  return out;
}
