import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoredFinding } from './findings.js';
import type { RepositoryRef } from '@tokenward/sources';
import type { RefTips } from '@tokenward/sources';
import type { OrgResults, RepositoryRecord, RepositoryState, ResultStore, ScanCommit } from './store.js';

interface FileRepository extends Omit<RepositoryRecord, 'id'> {
  version: number;
  tips: RefTips;
  findings: Record<string, StoredFinding>;
}

interface StateFile {
  format: 1;
  repositories: Record<string, FileRepository>;
}

/** Writes are batched: at most one rewrite of the file per interval, and one at close. */
const FLUSH_INTERVAL_MS = 2000;

/**
 * The local mode's store: one JSON file (under the cache folder by default), owned by one process
 * at a time (a lock file beside it). A run killed between flushes loses only the scans since the
 * last flush, state and findings together, so those repositories are simply scanned again.
 */
export class FileStore implements ResultStore {
  private readonly data: StateFile;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly lock: string;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.lock = `${file}.lock`;
    takeLock(this.lock, file);
    try {
      this.data = readStateFile(file);
    } catch (e) {
      rmSync(this.lock, { force: true });
      throw e;
    }
  }

  async readState(id: string): Promise<RepositoryState> {
    const r = this.data.repositories[id];
    if (!r) return { version: 0, tips: {}, findings: new Map() };
    return { version: r.version, tips: { ...r.tips }, ...(r.head ? { head: r.head } : {}), findings: new Map(Object.entries(r.findings)) };
  }

  async commitScan(id: string, expectedVersion: number, c: ScanCommit): Promise<boolean> {
    const old = this.data.repositories[id];
    if ((old?.version ?? 0) !== expectedVersion) return false;
    const findings = { ...(old?.findings ?? {}) };
    for (const [fp, f] of c.findings) findings[fp] = f;
    this.data.repositories[id] = {
      name: c.repository.name,
      url: c.repository.url,
      source: c.repository.source,
      status: 'done',
      scannedAt: c.scannedAt,
      commits: (old?.commits ?? 0) + c.commits,
      lastCommits: c.commits,
      ...(c.head ? { head: c.head } : {}),
      problems: c.problems,
      version: expectedVersion + 1,
      tips: c.tips,
      findings,
    };
    this.changed();
    return true;
  }

  async recordFailure(id: string, repository: RepositoryRef, reason: string): Promise<void> {
    const old = this.data.repositories[id];
    this.data.repositories[id] = {
      version: 0,
      tips: {},
      findings: {},
      commits: 0,
      lastCommits: 0,
      problems: [],
      ...old,
      name: repository.name,
      url: repository.url,
      source: repository.source,
      status: 'failed',
      error: reason,
      failedAt: new Date().toISOString(),
    };
    this.changed();
  }

  async results(): Promise<OrgResults> {
    return {
      repositories: Object.entries(this.data.repositories).map(([id, r]) => {
        const { version: _v, tips: _t, findings, ...record } = r;
        return { id, ...record, findings: Object.values(findings) };
      }),
    };
  }

  /** Writes pending changes now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data));
    renameSync(tmp, this.file);
  }

  async close(): Promise<void> {
    this.flush();
    rmSync(this.lock, { force: true });
  }

  private changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }
}

function readStateFile(file: string): StateFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, repositories: {} };
    throw new Error(`cannot read the scan state ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const data = JSON.parse(text) as StateFile;
    if (data.format !== 1 || typeof data.repositories !== 'object') throw new Error('unknown format');
    return data;
  } catch (e) {
    throw new Error(`the scan state ${file} is not a Tokenward state file (${(e as Error).message}); remove it to start over`, { cause: e });
  }
}

/** One process per state file: a lock file with our pid; a lock left by a dead process is taken over. */
function takeLock(lock: string, file: string): void {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(`the scan state ${file} is in use by another tokenward process (pid ${pid})`, { cause: e });
      }
      rmSync(lock, { force: true });
    }
  }
  throw new Error(`cannot lock the scan state ${file}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
