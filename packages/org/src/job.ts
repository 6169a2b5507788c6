import { join } from 'node:path';
import type { Finding } from '@tokenward/engine';
import { mergeRepositoryFindings, storedFinding, type VerifiedStatus } from './findings.js';
import type { RepositoryRef } from '@tokenward/sources';
import { mirrorTips, presentObjects, syncMirror } from './mirror.js';
import { repositoryId } from './repo-id.js';
import { unscannedRevisions } from '@tokenward/sources';
import { StaleStateError, type ResultStore } from './store.js';

/** What a history scan of a bare repository gives back. */
export interface HistoryScanOutcome {
  /** One per secret, at its first introduction in the scanned commits, with `presentAtHead`. */
  findings: Finding[];
  commits: number;
  /** Objects git could not read. */
  problems: string[];
}

/**
 * The scanning a job needs, provided by the caller (the CLI wires in the git history source), so
 * this package only orchestrates: clone, decide what is new, scan, store.
 */
export interface RepositoryScanner {
  /** Scans the commits `revs` (git log arguments) of the bare repository at `gitDir`. */
  scanHistory(gitDir: string, revs: string[]): Promise<HistoryScanOutcome>;
  /** Fingerprints of the secrets in HEAD's tree. */
  headFingerprints(gitDir: string): Promise<Set<string>>;
  /** Read-only checks of newly found secrets, while the raw values are in memory (optional). */
  verify?(findings: Finding[]): Promise<Map<string, VerifiedStatus>>;
}

export type JobPhase = 'fetching' | 'scanning' | 'storing';

export interface JobContext {
  store: ResultStore;
  /** Folder of the bare mirrors. */
  mirrorDir: string;
  scanner: RepositoryScanner;
  env: NodeJS.ProcessEnv;
  onPhase?: (phase: JobPhase) => void | Promise<void>;
}

export interface JobOutcome {
  repository: string;
  /** Commits scanned by this job (0: nothing new since the last scan). */
  commits: number;
  /** Secrets this repository did not hold before. */
  newSecrets: number;
  /** Secrets stored for the repository in all. */
  secrets: number;
}

export const mirrorPathFor = (mirrorDir: string, url: string): string => join(mirrorDir, `${repositoryId(url)}.git`);

/**
 * One repository: fetch its mirror, scan the commits no earlier job scanned, store the redacted
 * findings and the new tips in one commit. Safe to run twice or concurrently for one repository:
 * the store refuses a commit made against an older state (StaleStateError: run the job again).
 */
export async function runRepositoryJob(repo: RepositoryRef, ctx: JobContext): Promise<JobOutcome> {
  const id = repositoryId(repo.url);
  const dir = mirrorPathFor(ctx.mirrorDir, repo.url);
  await ctx.onPhase?.('fetching');
  await syncMirror(repo, dir, ctx.env);
  const state = await ctx.store.readState(id);
  const { tips, head } = await mirrorTips(dir, ctx.env);
  const earlier = Object.values(state.tips);
  const present = await presentObjects(dir, earlier, ctx.env);
  const revs = unscannedRevisions(tips, state.tips, (sha) => present.has(sha));

  let found: Finding[] = [];
  let commits = 0;
  let problems: string[] = [];
  if (revs) {
    await ctx.onPhase?.('scanning');
    ({ findings: found, commits, problems } = await ctx.scanner.scanHistory(dir, revs));
  }
  const fresh = found.filter((f) => !state.findings.has(f.fingerprint));
  const verified = ctx.scanner.verify && fresh.length ? await ctx.scanner.verify(fresh) : new Map<string, VerifiedStatus>();
  const stored = found.map((f) => storedFinding(f, verified.get(f.fingerprint)));
  // Secrets found before and not seen again may have left HEAD since: ask HEAD's tree, only when
  // HEAD moved and one of them was still there.
  const seen = new Set(found.map((f) => f.fingerprint));
  const recheck = head !== state.head && [...state.findings.values()].some((f) => f.presentAtHead && !seen.has(f.fingerprint));
  const atHead = recheck ? await ctx.scanner.headFingerprints(dir) : undefined;
  const changed = mergeRepositoryFindings(state.findings, stored, atHead);

  // Stored even when nothing is new: the repository was checked now (and a past failure is over).
  await ctx.onPhase?.('storing');
  const ok = await ctx.store.commitScan(id, state.version, {
    repository: repo,
    tips,
    ...(head ? { head } : {}),
    commits,
    scannedAt: new Date().toISOString(),
    findings: changed,
    problems,
  });
  if (!ok) throw new StaleStateError(`${repo.name}: another job stored a scan of it meanwhile; scanning again from the new state`);
  const secrets = new Set([...state.findings.keys(), ...changed.keys()]).size;
  return { repository: repo.name, commits, newSecrets: secrets - state.findings.size, secrets };
}
