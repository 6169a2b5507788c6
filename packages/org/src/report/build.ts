import type { Confidence, Severity } from '@tokenward/engine';
import { introducedBefore, type StoredFinding, type VerifiedStatus } from '../findings.js';
import type { OrgResults, RepositoryRecord } from '../store.js';

/** Where one repository holds a secret: the stored finding's place, and the repository. */
export type SecretLocation = Pick<StoredFinding, 'commit' | 'path' | 'line' | 'column' | 'author' | 'date' | 'occurrences' | 'presentAtHead'> & {
  /** Repository id (as in `repositories`). */
  repository: string;
  repositoryName: string;
};

/** One secret across the organisation (deduplicated by fingerprint). */
export interface OrgSecret {
  fingerprint: string;
  ruleId: string;
  provider: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  redacted: string;
  verified?: VerifiedStatus;
  /** The earliest introduction in any repository: the secret's age. */
  firstSeen: SecretLocation;
  /** Still in HEAD of at least one repository. */
  presentAtHead: boolean;
  locations: SecretLocation[];
}

export const ORG_REPORT_KIND = 'tokenward-org-report';

/** The merged report (`-f json`), also what `org merge` reads back: nothing in it is secret. */
export interface OrgReport {
  kind: typeof ORG_REPORT_KIND;
  formatVersion: 1;
  toolVersion: string;
  generatedAt: string;
  summary: { repositories: number; scanned: number; failed: number; secrets: number; active: number; inHead: number };
  repositories: RepositoryRecord[];
  secrets: OrgSecret[];
}

const byName = (a: { name: string; id: string }, b: { name: string; id: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function location(repo: RepositoryRecord, f: StoredFinding): SecretLocation {
  const l: SecretLocation = {
    repository: repo.id,
    repositoryName: repo.name,
    commit: f.commit,
    path: f.path,
    line: f.line,
    column: f.column,
    occurrences: f.occurrences,
    presentAtHead: f.presentAtHead,
  };
  if (f.author !== undefined) l.author = f.author;
  if (f.date !== undefined) l.date = f.date;
  return l;
}

/** Groups every repository's findings by fingerprint: one entry per secret, every repository that holds it. */
export function buildOrgReport(results: OrgResults, meta: { toolVersion: string; generatedAt?: string }): OrgReport {
  const secrets = new Map<string, OrgSecret>();
  const repositories = [...results.repositories].sort(byName);
  for (const repo of repositories) {
    const sorted = [...repo.findings].sort((a, b) => (introducedBefore(a, b) ? -1 : introducedBefore(b, a) ? 1 : 0));
    for (const f of sorted) {
      const loc = location(repo, f);
      const s = secrets.get(f.fingerprint);
      if (!s) {
        const entry: OrgSecret = {
          fingerprint: f.fingerprint,
          ruleId: f.ruleId,
          provider: f.provider,
          title: f.title,
          severity: f.severity,
          confidence: f.confidence,
          redacted: f.redacted,
          firstSeen: loc,
          presentAtHead: f.presentAtHead,
          locations: [loc],
        };
        if (f.verified) entry.verified = f.verified;
        secrets.set(f.fingerprint, entry);
        continue;
      }
      s.locations.push(loc);
      s.presentAtHead ||= f.presentAtHead;
      if (introducedBefore(loc, s.firstSeen)) s.firstSeen = loc;
      if (f.verified && (!s.verified || f.verified.checkedAt > s.verified.checkedAt)) s.verified = f.verified;
    }
  }
  const list = [...secrets.values()].sort((a, b) => (introducedBefore(a.firstSeen, b.firstSeen) ? -1 : introducedBefore(b.firstSeen, a.firstSeen) ? 1 : a.fingerprint < b.fingerprint ? -1 : 1));
  return {
    kind: ORG_REPORT_KIND,
    formatVersion: 1,
    toolVersion: meta.toolVersion,
    generatedAt: meta.generatedAt ?? new Date().toISOString(),
    summary: {
      repositories: repositories.length,
      scanned: repositories.filter((r) => r.status === 'done').length,
      failed: repositories.filter((r) => r.status === 'failed').length,
      secrets: list.length,
      active: list.filter((s) => s.verified?.status === 'active').length,
      inHead: list.filter((s) => s.presentAtHead).length,
    },
    repositories: repositories.map(({ findings: _f, ...r }) => r),
    secrets: list,
  };
}

export class ReportFormatError extends Error {
  override name = 'ReportFormatError';
}

/** Reads a JSON report written by `org scan`/`org report -f json` (a shard's, for `org merge`). */
export function parseOrgReport(text: string, file: string): OrgReport {
  let data: Partial<OrgReport>;
  try {
    data = JSON.parse(text) as Partial<OrgReport>;
  } catch (e) {
    throw new ReportFormatError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (data?.kind !== ORG_REPORT_KIND || data.formatVersion !== 1 || !Array.isArray(data.repositories) || !Array.isArray(data.secrets)) {
    throw new ReportFormatError(`${file}: not a Tokenward organisation report (write shard reports with 'tokenward org scan --shard I/N -f json -o FILE')`);
  }
  return data as OrgReport;
}

/** The per-repository results a report was built from (so reports can be merged and re-rendered). */
export function resultsOfReport(report: OrgReport): OrgResults {
  const byRepo = new Map<string, StoredFinding[]>(report.repositories.map((r) => [r.id, []]));
  for (const s of report.secrets) {
    for (const l of s.locations) {
      const f: StoredFinding = {
        fingerprint: s.fingerprint,
        ruleId: s.ruleId,
        provider: s.provider,
        title: s.title,
        severity: s.severity,
        confidence: s.confidence,
        redacted: s.redacted,
        commit: l.commit,
        path: l.path,
        line: l.line,
        column: l.column,
        occurrences: l.occurrences,
        presentAtHead: l.presentAtHead,
      };
      if (l.author !== undefined) f.author = l.author;
      if (l.date !== undefined) f.date = l.date;
      if (s.verified) f.verified = s.verified;
      byRepo.get(l.repository)?.push(f);
    }
  }
  return { repositories: report.repositories.map((r) => ({ ...r, findings: byRepo.get(r.id) ?? [] })) };
}

/** Shard reports into one: a repository in several is taken from the report that scanned it last. */
export function mergeOrgReports(reports: readonly OrgReport[], meta: { toolVersion: string; generatedAt?: string }): OrgReport {
  const latest = new Map<string, OrgResults['repositories'][number]>();
  const when = (r: RepositoryRecord) => r.scannedAt ?? r.failedAt ?? '';
  for (const report of reports) {
    for (const repo of resultsOfReport(report).repositories) {
      const old = latest.get(repo.id);
      if (!old || when(repo) > when(old)) latest.set(repo.id, repo);
    }
  }
  return buildOrgReport({ repositories: [...latest.values()] }, meta);
}
