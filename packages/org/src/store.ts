import type { StoredFinding } from './findings.js';
import type { RepositoryRef } from '@tokenward/sources';
import type { RefTips } from '@tokenward/sources';

/** A repository's scan state as a job reads it before scanning. */
export interface RepositoryState {
  /** Bumped by every committed scan: a commit made against an older version is refused. */
  version: number;
  tips: RefTips;
  /** HEAD's commit at the last scan. */
  head?: string;
  findings: Map<string, StoredFinding>;
}

/** One finished scan of a repository, stored all at once or not at all. */
export interface ScanCommit {
  repository: RepositoryRef;
  tips: RefTips;
  head?: string;
  /** Commits scanned by this job. */
  commits: number;
  scannedAt: string;
  /** Findings that are new or changed (merged by fingerprint with the stored ones). */
  findings: Map<string, StoredFinding>;
  /** Objects git could not read (listed in reports, never silently dropped). */
  problems: string[];
}

/** A repository as reports show it. */
export interface RepositoryRecord {
  id: string;
  name: string;
  url: string;
  source: RepositoryRef['source'];
  status: 'done' | 'failed';
  /** Why the last attempt failed (status failed). */
  error?: string;
  failedAt?: string;
  scannedAt?: string;
  /** Commits scanned over all jobs, and by the last one. */
  commits: number;
  lastCommits: number;
  head?: string;
  problems: string[];
}

export interface OrgResults {
  repositories: Array<RepositoryRecord & { findings: StoredFinding[] }>;
}

/**
 * Where jobs keep their state and results: Redis for the queue, a JSON file for local and shard
 * runs. `commitScan` is the only write of a scan: state and findings change together, and only
 * when nobody committed in between (`expectedVersion`), so a job that runs twice (a worker killed
 * after storing, a lock that expired) stores its findings once.
 */
export interface ResultStore {
  readState(id: string): Promise<RepositoryState>;
  commitScan(id: string, expectedVersion: number, commit: ScanCommit): Promise<boolean>;
  recordFailure(id: string, repository: RepositoryRef, reason: string): Promise<void>;
  results(): Promise<OrgResults>;
  close(): Promise<void>;
}

/** Another run stored a scan of this repository first: the job starts again from the new state. */
export class StaleStateError extends Error {
  override name = 'StaleStateError';
}
