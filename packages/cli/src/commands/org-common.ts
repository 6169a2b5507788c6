import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Confidence, RuleDefinition } from '@tokenward/engine';
import {
  DEFAULT_QUEUE_NAME,
  DEFAULT_RETRY,
  listGitHubRepositories,
  listGitLabRepositories,
  ListingError,
  orgReportToHtml,
  orgReportToSarif,
  readRepositoryList,
  type OrgReport,
  type QueueTarget,
  type RepositoryRef,
  type RepositoryScanner,
  type RetryPolicy,
} from '@tokenward/org';
import { loadProjectSettings, loadRules, Suppressor } from '@tokenward/project';
import { HttpClient, verifyFindings } from '@tokenward/revoke';
import type { Io } from '../cli-util.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError } from '../errors.js';
import { headTreeFingerprints, scanMirrorHistory } from '../org-history.js';
import { endpointsFrom } from './revoke.js';

/** Options and set-up shared by the `org` subcommands and `worker`. */

export const LISTING_OPTIONS = {
  repos: { type: 'string' },
  'github-org': { type: 'string' },
  'github-user': { type: 'string' },
  'gitlab-group': { type: 'string' },
  'github-api': { type: 'string' },
  'gitlab-api': { type: 'string' },
  'include-forks': { type: 'boolean', default: false },
  archived: { type: 'boolean', default: true },
  subgroups: { type: 'boolean', default: true },
  'max-rate-wait': { type: 'string' },
} as const;

export const LISTING_HELP = `Repositories (one of):
      --repos FILE          a list file: one clone URL or path per line (# comments)
      --github-org ORG      every repository of a GitHub organisation (GITHUB_TOKEN if set)
      --github-user USER    every repository a GitHub user owns
      --gitlab-group GROUP  every project of a GitLab group and its subgroups (GITLAB_TOKEN if set)
      --github-api URL      GitHub Enterprise Server: https://HOST/api/v3 (default api.github.com)
      --gitlab-api URL      self-managed GitLab: https://HOST/api/v4 (default gitlab.com/api/v4)
      --include-forks       also forks (left out by default: their history is their parent's)
      --no-archived         leave archived repositories out (scanned by default: still public)
      --no-subgroups        GitLab: the group's own projects only
      --max-rate-wait SECS  longest wait for a provider's rate limit reset (default 900)`;

export const SCAN_OPTIONS = {
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
  'min-confidence': { type: 'string' },
  verify: { type: 'boolean', default: false },
  endpoint: { type: 'string', multiple: true, default: [] as string[] },
  'allow-insecure-endpoint': { type: 'boolean', default: false },
  threads: { type: 'string' },
  cache: { type: 'string' },
} as const;

export const SCAN_HELP = `Scanning:
      --cache DIR           where bare mirrors (and the local state) are kept (default:
                            $TOKENWARD_CACHE_DIR, else $XDG_CACHE_HOME/tokenward, else ~/.cache/tokenward)
      --rules PATH          extra rule file or folder (repeatable)
      --config FILE         configuration applied to every repository (allow-list, ignorePaths,
                            disabledRules, minConfidence, baseline); default: found from the
                            current folder upwards; --no-config uses defaults only
      --min-confidence C    low (default), medium or high
      --verify              check each newly found secret read-only with its provider while its
                            value is in memory; only the answer (active/inactive/unknown) is kept
      --endpoint P=ORIGIN   send provider P's checks to ORIGIN (repeatable; plain http: only to
                            loopback addresses unless --allow-insecure-endpoint)
      --threads N           scanning threads per repository (default: by cores)`;

export const QUEUE_OPTIONS = {
  queue: { type: 'string' },
  'queue-name': { type: 'string' },
} as const;

export const QUEUE_HELP = `Queue:
      --queue URL           Redis: redis://HOST:PORT[/DB] (also TOKENWARD_QUEUE); a password is
                            better given in the URL of TOKENWARD_QUEUE than on the command line
      --queue-name NAME     queue (and key prefix) name (default ${DEFAULT_QUEUE_NAME})`;

export const RETRY_OPTIONS = {
  attempts: { type: 'string' },
  backoff: { type: 'string' },
} as const;

export const RETRY_HELP = `Retries:
      --attempts N          tries per repository before it is recorded as failed (default ${DEFAULT_RETRY.attempts})
      --backoff MS          first retry delay, doubled each time (default ${DEFAULT_RETRY.backoffMs})`;

export const REPORT_OPTIONS = {
  format: { type: 'string', short: 'f', default: 'json' },
  output: { type: 'string', short: 'o' },
  'exit-code': { type: 'string' },
  'skip-failed': { type: 'boolean', default: false },
} as const;

export const REPORT_FORMATS = ['json', 'sarif', 'html'] as const;

export const REPORT_HELP = `Report:
  -f, --format FORMAT       json (default; what 'org merge' reads), sarif, html (triage page)
  -o, --output FILE         write the report to FILE (default: standard output)
      --exit-code N         exit code when secrets are found (default 1)
      --skip-failed         a repository that could not be scanned is still listed in the report
                            but does not make the exit code 2`;

export function wholeNumber(command: string, flag: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${command}: ${flag} takes a whole number of at least ${min}, got "${value}"`);
  return n;
}

export function retryPolicy(command: string, values: { attempts?: string | undefined; backoff?: string | undefined }): RetryPolicy {
  return { attempts: wholeNumber(command, '--attempts', values.attempts, 1, DEFAULT_RETRY.attempts), backoffMs: wholeNumber(command, '--backoff', values.backoff, 0, DEFAULT_RETRY.backoffMs) };
}

type ListingValues = { [K in keyof typeof LISTING_OPTIONS]?: string | boolean | undefined };

/** The repositories the listing flags name (exactly one listing). */
export async function listRepositories(command: string, v: ListingValues, io: Io): Promise<RepositoryRef[]> {
  const given = (['repos', 'github-org', 'github-user', 'gitlab-group'] as const).filter((k) => typeof v[k] === 'string');
  if (given.length !== 1) throw new UsageError(`${command}: name the repositories with one of --repos FILE, --github-org ORG, --github-user USER or --gitlab-group GROUP`);
  const maxWaitMs = wholeNumber(command, '--max-rate-wait', v['max-rate-wait'] as string | undefined, 0, 900) * 1000;
  const paging = { maxWaitMs, onWait: (ms: number, why: string) => io.stderr.write(`tokenward: ${why}: waiting ${Math.ceil(ms / 1000)} s\n`) };
  const includeArchived = v.archived !== false;
  const includeForks = v['include-forks'] === true;
  try {
    let repos: RepositoryRef[];
    if (given[0] === 'repos') repos = readRepositoryList(resolve(io.cwd, v.repos as string));
    else if (given[0] === 'gitlab-group') {
      repos = await listGitLabRepositories({ ...paging, group: v['gitlab-group'] as string, apiUrl: v['gitlab-api'] as string | undefined, token: io.env.GITLAB_TOKEN || undefined, includeSubgroups: v.subgroups !== false, includeArchived, includeForks });
    } else {
      const owner = given[0] === 'github-org' ? { org: v['github-org'] as string } : { user: v['github-user'] as string };
      repos = await listGitHubRepositories({ ...paging, owner, apiUrl: v['github-api'] as string | undefined, token: io.env.GITHUB_TOKEN || undefined, includeArchived, includeForks });
    }
    return repos;
  } catch (e) {
    if (e instanceof ListingError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}

export function queueTarget(command: string, v: { queue?: string | undefined; 'queue-name'?: string | undefined }, io: Io): QueueTarget {
  const url = v.queue ?? io.env.TOKENWARD_QUEUE;
  if (!url) throw new UsageError(`${command}: --queue redis://HOST:PORT is required (or TOKENWARD_QUEUE)`);
  const name = v['queue-name'] ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`${command}: --queue-name takes letters, digits, '.', '_' and '-', got "${name}"`);
  return { url, name };
}

/** Tokenward's cache folder (as the rules cache uses it), then org/. */
export function orgCacheDir(v: { cache?: string | undefined }, io: Io): string {
  const base = v.cache !== undefined ? resolve(io.cwd, v.cache) : io.env.TOKENWARD_CACHE_DIR || join(io.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tokenward');
  return join(base, 'org');
}

const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];

type ScanValues = { [K in keyof typeof SCAN_OPTIONS]?: string | string[] | boolean | undefined };

/**
 * Rules, the organisation's configuration (one Suppressor for every repository, as `scan` uses it)
 * and the history scan of a mirror, as a job needs them.
 */
export function repositoryScanner(command: string, v: ScanValues, io: Io): { scanner: RepositoryScanner; defs: RuleDefinition[] } {
  const minConfidence = v['min-confidence'] as string | undefined;
  if (minConfidence !== undefined && !(CONFIDENCES as readonly string[]).includes(minConfidence)) throw new UsageError(`${command}: --min-confidence takes low, medium or high, got "${minConfidence}"`);
  const noConfig = v['no-config'] === true || v.config === false;
  const settings = loadProjectSettings({
    cwd: io.cwd,
    paths: [io.cwd],
    ...(typeof v.config === 'string' ? { configFile: v.config } : {}),
    noConfig,
    ...(minConfidence ? { minConfidence: minConfidence as Confidence } : {}),
  });
  const suppressor = new Suppressor(settings, io.cwd);
  const loaded = loadRules([...settings.ruleFiles, ...((v.rules as string[]) ?? []).map((r) => resolve(io.cwd, r))]);
  const { defs, compiled } = suppressor.selectRules(loaded.defs, loaded.compiled);
  const threads = v.threads !== undefined ? wholeNumber(command, '--threads', v.threads as string, 1, 1) : undefined;
  const endpoints = endpointsFrom((v.endpoint as string[]) ?? [], settings.config, defs, v['allow-insecure-endpoint'] === true);
  const http = new HttpClient({ minIntervalMs: 250, timeoutMs: 10_000 });
  const scanner: RepositoryScanner = {
    async scanHistory(gitDir, revs) {
      const r = await scanMirrorHistory(defs, compiled, gitDir, revs, threads);
      return { ...r, findings: suppressor.apply(r.findings).findings };
    },
    headFingerprints: (gitDir) => headTreeFingerprints(compiled, gitDir),
    ...(v.verify
      ? {
          async verify(findings) {
            const { byFingerprint } = await verifyFindings(findings, defs, { endpoints, http });
            return new Map([...byFingerprint].map(([fp, r]) => [fp, { status: r.status, checkedAt: r.checkedAt ?? new Date().toISOString(), ...(r.detail ? { detail: r.detail } : {}) }]));
          },
        }
      : {}),
  };
  return { scanner, defs };
}

type ReportValues = { format?: string | undefined; output?: string | undefined; 'exit-code'?: string | undefined; 'skip-failed'?: boolean | undefined };

export function checkReportFlags(command: string, v: ReportValues): void {
  if (!(REPORT_FORMATS as readonly string[]).includes(v.format ?? 'json')) throw new UsageError(`${command}: unknown format "${v.format}" (use ${REPORT_FORMATS.join(', ')})`);
  wholeNumber(command, '--exit-code', v['exit-code'], 0, EXIT_FINDINGS);
}

/** Writes the report; returns the exit code: 2 when a repository failed (unless --skip-failed), 1 (--exit-code) for secrets, else 0. */
export function writeOrgReport(command: string, report: OrgReport, v: ReportValues, io: Io, defs: readonly RuleDefinition[] = []): number {
  const format = v.format ?? 'json';
  const text = format === 'html' ? orgReportToHtml(report) : format === 'sarif' ? orgReportToSarif(report, defs) : `${JSON.stringify(report, null, 2)}\n`;
  if (v.output !== undefined) {
    const file = resolve(io.cwd, v.output);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } else io.stdout.write(text);
  const s = report.summary;
  io.stderr.write(
    `tokenward: ${s.secrets} ${s.secrets === 1 ? 'secret' : 'secrets'} in ${s.scanned} scanned ${s.scanned === 1 ? 'repository' : 'repositories'}` +
      `${s.failed ? `, ${s.failed} could not be scanned` : ''}${s.active ? `, ${s.active} verified active` : ''}${v.output !== undefined ? `: wrote ${v.output} (${format})` : ''}\n`,
  );
  for (const r of report.repositories) if (r.status === 'failed') io.stderr.write(`tokenward: failed: ${r.name}: ${r.error ?? 'unknown error'}\n`);
  if (s.failed > 0 && !v['skip-failed']) return EXIT_ERROR;
  return s.secrets > 0 ? wholeNumber(command, '--exit-code', v['exit-code'], 0, EXIT_FINDINGS) : EXIT_CLEAN;
}
