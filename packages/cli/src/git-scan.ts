import { join, relative, resolve, isAbsolute, sep } from 'node:path';
import { UsageError } from '@tokenward/project';
import { discoverRepo, emptyStats, GitHistorySource, GitStagedSource, HistoryState, preReceiveRevisions, prePushRevisions, resolveCommit, SourceList, submodulePaths, toDisplay, type GitRepo, type Source } from '@tokenward/sources';
import type { Io } from './cli-util.js';

/** The git sources behind `tokenward scan`'s flags, in one place so scan.ts only routes. */

export interface GitScanFlags {
  history?: boolean;
  branch?: string;
  since?: string;
  range?: string;
  staged?: boolean;
  'pre-push'?: boolean;
  'pre-receive'?: boolean;
  'since-last'?: boolean;
  /** `--no-submodules`. */
  submodules?: boolean;
}


/** Help lines for scan's --help. */
export const GIT_SCAN_HELP = `Git:
      --history           scan every commit reachable from any ref (files and commit messages);
                          PATH is the repository (default .); each secret is reported once, at
                          the commit that first introduced it, with author, date, how many commits
                          introduced it and whether it is still in HEAD
      --branch REF        history of REF only
      --since REV         history after REV (REV..HEAD, or REV..REF with --branch)
      --range A..B        history in a revision range (A...B for the symmetric difference)
      --since-last        with --history or --branch: only commits no earlier --since-last scan
                          of this repository covered (ref tips kept in the git folder, in
                          tokenward-history.json); a force-push is followed (the rewritten
                          commits are scanned); other rules or paths start from the beginning
      --staged            exactly what is staged (index versions of added/changed files): for
                          pre-commit; unstaged edits are not reported
      --pre-push          the commits a push sends, read from the pre-push hook's standard input
                          (or PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF from the pre-commit framework)
      --pre-receive       server side: the commits a push adds to this (bare) repository, read
                          from the pre-receive hook's standard input; exit 1 rejects the push
      --no-submodules     leave checked-out submodules out (by default a folder scan lists their
                          files and --history walks each submodule's own history too)`;

export const GIT_SCAN_OPTIONS = {
  history: { type: 'boolean', default: false },
  branch: { type: 'string' },
  since: { type: 'string' },
  range: { type: 'string' },
  staged: { type: 'boolean', default: false },
  'pre-push': { type: 'boolean', default: false },
  'pre-receive': { type: 'boolean', default: false },
  'since-last': { type: 'boolean', default: false },
  submodules: { type: 'boolean', default: true },
} as const;

export function gitScanRequested(flags: GitScanFlags): boolean {
  return Boolean(flags.history || flags.staged || flags['pre-push'] || flags['pre-receive'] || flags['since-last'] || flags.branch !== undefined || flags.since !== undefined || flags.range !== undefined);
}

/** A git source, and what to do once its scan is complete (record an incremental scan). */
export interface GitScan {
  source: Source;
  /** Called after a scan whose every object could be read (or --skip-unreadable). */
  complete?: () => void;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts).toString('utf8');
}

/** History revisions for --history/--branch/--since/--range, validated (exit 2 on a bad one). */
function historyRevisions(repo: GitRepo, flags: GitScanFlags): string[] {
  if (flags.range !== undefined) {
    if (flags.branch !== undefined || flags.since !== undefined) throw new UsageError('scan: --range cannot be combined with --branch or --since');
    const m = /^(.*?)(\.\.\.?)(.*)$/.exec(flags.range);
    if (!m || (!m[1] && !m[3])) throw new UsageError(`invalid range "${flags.range}": expected A..B (or A...B)`);
    const from = resolveCommit(repo, m[1] || 'HEAD', `revision in range "${flags.range}"`);
    const to = resolveCommit(repo, m[3] || 'HEAD', `revision in range "${flags.range}"`);
    return [`${from}${m[2]}${to}`];
  }
  if (flags.since !== undefined) {
    const from = resolveCommit(repo, flags.since);
    const to = resolveCommit(repo, flags.branch ?? 'HEAD', flags.branch !== undefined ? 'branch' : 'revision');
    return [`${from}..${to}`];
  }
  if (flags.branch !== undefined) return [resolveCommit(repo, flags.branch, 'branch')];
  return ['--all'];
}

/** Pathspec limiting the scan when PATH is a folder inside the repository. */
function pathspecFor(repo: GitRepo, path: string, cwd: string): string[] | undefined {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  const rel = relative(repo.root, abs);
  if (!rel || rel.startsWith('..')) return undefined;
  return [`:(top)${sep === '/' ? rel : rel.split(sep).join('/')}`];
}

/** Nothing to scan: a push that only deletes refs. */
const NOTHING: Source = { scan: () => Promise.resolve({ findings: [], stats: { ...emptyStats(), commits: 0 }, problems: [], skippedFiles: [] }) };

/**
 * The source the git flags ask for, its repository and revisions checked (exit 2 when wrong).
 * `scope` names what an incremental scan covers besides the paths (the rule set).
 */
export async function gitSource(flags: GitScanFlags, ctx: { io: Io; paths: readonly string[]; scope: () => string }): Promise<GitScan> {
  const history = flags.history || flags['since-last'] || flags.branch !== undefined || flags.since !== undefined || flags.range !== undefined;
  const modes = [flags.staged && '--staged', flags['pre-push'] && '--pre-push', flags['pre-receive'] && '--pre-receive', history && '--history'].filter(Boolean);
  if (modes.length > 1) throw new UsageError(`scan: ${modes.join(' and ')} cannot be combined`);
  if (ctx.paths.length > 1) throw new UsageError(`scan: ${modes[0]} takes one repository path, got ${ctx.paths.length}`);
  const path = ctx.paths[0] ?? '.';
  if (path === '-') throw new UsageError(`scan: ${modes[0]} reads a repository, not standard input`);
  const { io } = ctx;
  if (flags.staged) return { source: GitStagedSource.start(path, io.cwd, io.env) };
  const repo = discoverRepo(path, io.cwd, io.env, { allowBare: true });

  let revs: string[] | undefined;
  if (flags['pre-receive']) {
    if ((io.stdin as { isTTY?: boolean }).isTTY) throw new UsageError('scan --pre-receive reads "<old> <new> <ref>" lines from standard input, as git passes them to a pre-receive hook');
    revs = preReceiveRevisions(repo, await readAll(io.stdin));
    if (!revs) return { source: NOTHING };
    return { source: new GitHistorySource(repo, { revs, display: (p) => p }) };
  }
  if (flags['pre-push']) {
    // The pre-commit framework runs a hook at every stage the user installed unless the hook pins
    // one, and stage names differ between its versions: at a stage other than pre-push it gives no
    // pushed range (and stdin may be the terminal), so nothing is being pushed.
    if (io.env.PRE_COMMIT === '1' && !io.env.PRE_COMMIT_TO_REF && !io.env.PRE_COMMIT_LOCAL_BRANCH) return { source: NOTHING };
    if (!io.env.PRE_COMMIT_TO_REF && !io.env.PRE_COMMIT_LOCAL_BRANCH && (io.stdin as { isTTY?: boolean }).isTTY) {
      throw new UsageError('scan --pre-push reads the refs being pushed from standard input, as git passes them to a pre-push hook');
    }
    revs = prePushRevisions(repo, io.env.PRE_COMMIT_TO_REF ? '' : await readAll(io.stdin), io.env);
    if (!revs) return { source: NOTHING };
    return { source: new GitHistorySource(repo, { revs, display: (p) => toDisplay(join(repo.root, p), io.cwd) }) };
  }
  if (flags['since-last'] && (flags.since !== undefined || flags.range !== undefined)) {
    throw new UsageError('scan: --since-last cannot be combined with --since or --range (it chooses the range itself)');
  }
  // An empty repository is fine: `git log --all` lists nothing and the scan is clean.
  revs = historyRevisions(repo, flags);
  const pathspec = pathspecFor(repo, path, io.cwd);
  const scans = [historyScan(repo, revs, flags, ctx.scope, pathspec, io.cwd)];
  // The whole history (not a branch or a range of this repository's commits) takes in each
  // checked-out submodule's own history.
  if (revs[0] === '--all' && flags.submodules !== false && !pathspec && repo.root !== repo.gitDir) {
    for (const sub of submodulePaths(repo.root, io.env)) {
      scans.push(historyScan(discoverRepo(join(repo.root, sub), io.cwd, io.env), ['--all'], flags, ctx.scope, undefined, io.cwd));
    }
  }
  if (scans.length === 1) return scans[0]!;
  return { source: new SourceList(scans.map((s) => s.source)), complete: () => scans.forEach((s) => s.complete?.()) };
}

/** One repository's history (all refs, a branch or a range), or with --since-last what is new in it. */
function historyScan(repo: GitRepo, revs: string[], flags: GitScanFlags, scope: () => string, pathspec: string[] | undefined, cwd: string): GitScan {
  const historyOf = (r: string[]): Source => new GitHistorySource(repo, { revs: r, ...(pathspec ? { pathspec } : {}), display: (p) => toDisplay(join(repo.root, p), cwd) });
  if (!flags['since-last']) return { source: historyOf(revs) };
  // The tips to start from: every ref (as --history), or the one --branch names.
  const key = JSON.stringify([scope(), pathspec ?? [], flags.branch ?? '--all']);
  const state = HistoryState.open(repo, key, ...(flags.branch !== undefined ? [{ [flags.branch]: revs[0]! }] : []));
  const unscanned = state.revisions();
  return { source: unscanned ? historyOf(unscanned) : NOTHING, complete: () => state.save() };
}
