import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buildOrgReport,
  FileStore,
  mergeOrgReports,
  parseOrgReport,
  parseShard,
  QueueUrlError,
  ReportFormatError,
  repositoryId,
  runLocalScan,
  selectShard,
  shardMatrix,
  ShardError,
  type OrgReport,
} from '@tokenward/org';
import { parseCommandArgs, toolVersion, type Command, type Io } from '../cli-util.js';
import { EXIT_CLEAN, UsageError } from '../errors.js';
import {
  checkReportFlags,
  LISTING_HELP,
  LISTING_OPTIONS,
  listRepositories,
  orgCacheDir,
  QUEUE_HELP,
  QUEUE_OPTIONS,
  queueTarget,
  REPORT_HELP,
  REPORT_OPTIONS,
  repositoryScanner,
  RETRY_HELP,
  RETRY_OPTIONS,
  retryPolicy,
  SCAN_HELP,
  SCAN_OPTIONS,
  wholeNumber,
  writeOrgReport,
} from './org-common.js';

const HELP = `Usage: tokenward org <command> [options]

Scan every repository of an organisation: a GitHub organisation or user, a GitLab group, or a list
of clone URLs. Each repository is mirror-cloned into a cache and only commits not scanned before
are scanned; findings are stored redacted, with fingerprints, and merged into one report.

Commands:
  scan      scan here: in this process (state under the cache folder), or one CI shard (--shard I/N)
  plan      print the CI matrix for N shards (GitHub Actions JSON, or a GitLab parallel:matrix example)
  merge     merge shard reports into one JSON, SARIF or HTML report
  enqueue   add one job per repository to a Redis queue (BullMQ) for 'tokenward worker's
  status    queued / active / done / failed jobs, workers and rate
  report    the merged report of everything the queue's workers stored

'tokenward org <command> --help' for each. Exit codes: 0 no secrets, 1 secrets found,
2 usage error or a repository that could not be scanned (the report is still written).`;

const SCAN_USAGE = `Usage: tokenward org scan (--repos FILE | --github-org ORG | --github-user USER | --gitlab-group GROUP) [options]

Scans the repositories in this process, --concurrency at a time, with the same jobs a queue's
workers run; what was scanned is remembered in a state file, so the next run scans only new
commits. The report covers the listed repositories (all of them, not only what changed).

${LISTING_HELP}

${SCAN_HELP}

Local run:
      --concurrency N       repositories scanned at the same time (default 4)
      --shard I/N           scan only shard I of N (CI matrix; see 'tokenward org plan')
      --state FILE          state file (default: CACHE/org/state.json, or state-shard-I-of-N.json)

${RETRY_HELP}

${REPORT_HELP}`;

const PLAN_USAGE = `Usage: tokenward org plan --shards N [--format github|gitlab]

Prints the CI matrix for N shards: for GitHub Actions one line of JSON,
{"shard":["1/N",...]}, for strategy.matrix: \${{ fromJSON(needs.plan.outputs.matrix) }}; with
--format gitlab a job using parallel:matrix. Each shard job runs
'tokenward org scan --shard I/N ... -f json -o shard-I.json'; a last job runs 'tokenward org merge'.
A repository's shard is a hash of its URL: every shard job lists the repositories itself and
takes its own share. See docs/org.md for complete workflows.`;

const MERGE_USAGE = `Usage: tokenward org merge [options] REPORT.json...

Merges JSON reports of 'org scan' (shards) into one report, deduplicated by fingerprint: one
entry per secret, with its first commit and every repository that holds it.

${REPORT_HELP}`;

const ENQUEUE_USAGE = `Usage: tokenward org enqueue --queue redis://HOST:PORT (--repos FILE | --github-org ORG | --github-user USER | --gitlab-group GROUP) [options]

Adds one job per repository. A job's id is the repository and its branch and tag tips (read
with git ls-remote): enqueueing again finds unchanged repositories already queued or done, and
adds a job only for those that changed. A job that failed at the same tips is retried.

${QUEUE_HELP}

${LISTING_HELP}

${RETRY_HELP}`;

const STATUS_USAGE = `Usage: tokenward org status --queue redis://HOST:PORT [--format text|json]

Jobs waiting, active, delayed (retrying), completed and failed, the workers connected, the
repositories finished per minute (last 5 minutes) and the failed repositories with the reason.

${QUEUE_HELP}`;

const REPORT_USAGE = `Usage: tokenward org report --queue redis://HOST:PORT [-f json|sarif|html] [-o FILE]

The merged report of every repository the workers stored.

${QUEUE_HELP}

${REPORT_HELP}`;

const meta = () => ({ toolVersion: toolVersion() });

async function orgScan(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('org scan', argv, {
    ...LISTING_OPTIONS,
    ...SCAN_OPTIONS,
    ...RETRY_OPTIONS,
    ...REPORT_OPTIONS,
    concurrency: { type: 'string' },
    shard: { type: 'string' },
    state: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return help(io, SCAN_USAGE);
  if (positionals.length) throw new UsageError(`org scan: unexpected argument "${positionals[0]}" (name repositories with --repos FILE)`);
  checkReportFlags('org scan', values);
  const concurrency = wholeNumber('org scan', '--concurrency', values.concurrency, 1, 4);
  const retry = retryPolicy('org scan', values);
  const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
  const { scanner, defs } = repositoryScanner('org scan', values, io);
  const listed = await listRepositories('org scan', values, io);
  const repos = shard ? selectShard(listed, shard) : listed;
  const cache = orgCacheDir(values, io);
  const stateFile = values.state !== undefined ? resolve(io.cwd, values.state) : join(cache, shard ? `state-shard-${shard.index}-of-${shard.total}.json` : 'state.json');
  io.stderr.write(`tokenward: scanning ${repos.length} ${repos.length === 1 ? 'repository' : 'repositories'}${shard ? ` (shard ${shard.index}/${shard.total} of ${listed.length})` : ''}\n`);
  const store = new FileStore(stateFile);
  let report: OrgReport;
  try {
    await runLocalScan(repos, {
      store,
      mirrorDir: join(cache, 'mirrors'),
      scanner,
      env: io.env,
      concurrency,
      retry,
      onEvent(e) {
        if (e.type === 'done') io.stderr.write(`tokenward: scanned ${e.repository.name}: ${describeOutcome(e.outcome)} (${(e.ms / 1000).toFixed(1)} s)\n`);
        else if (e.type === 'retry') io.stderr.write(`tokenward: ${e.repository.name}: ${e.error}; retrying in ${(e.delayMs / 1000).toFixed(1)} s\n`);
      },
    });
    const ids = new Set(repos.map((r) => repositoryId(r.url)));
    const results = await store.results();
    report = buildOrgReport({ repositories: results.repositories.filter((r) => ids.has(r.id)) }, meta());
  } finally {
    await store.close();
  }
  return writeOrgReport('org scan', report, values, io, defs);
}

export function describeOutcome(o: { commits: number; newSecrets: number; secrets: number }): string {
  if (o.commits === 0) return `no new commits, ${o.secrets} ${o.secrets === 1 ? 'secret' : 'secrets'}`;
  return `${o.commits} ${o.commits === 1 ? 'commit' : 'commits'}, ${o.newSecrets} new ${o.newSecrets === 1 ? 'secret' : 'secrets'}, ${o.secrets} in all`;
}

async function orgPlan(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('org plan', argv, {
    shards: { type: 'string' },
    format: { type: 'string', short: 'f', default: 'github' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return help(io, PLAN_USAGE);
  if (positionals.length) throw new UsageError(`org plan: unexpected argument "${positionals[0]}"`);
  if (values.shards === undefined) throw new UsageError('org plan: --shards N is required');
  const matrix = shardMatrix(wholeNumber('org plan', '--shards', values.shards, 1, 1));
  if (values.format === 'github') io.stdout.write(`${JSON.stringify(matrix)}\n`);
  else if (values.format === 'gitlab') {
    io.stdout.write(`# .gitlab-ci.yml: one job per shard, then one merge
org-scan:
  stage: test
  parallel:
    matrix:
      - SHARD: [${matrix.shard.map((s) => `"${s}"`).join(', ')}]
  script:
    - npx tokenward org scan --gitlab-group "$CI_PROJECT_NAMESPACE" --shard "$SHARD" --exit-code 0 -f json -o "shard-\${SHARD%%/*}.json"
  artifacts:
    when: always
    paths: [shard-*.json]

org-report:
  stage: deploy
  needs: [org-scan]
  script:
    - npx tokenward org merge shard-*.json -f html -o org-report.html
  artifacts:
    when: always
    paths: [org-report.html]
`);
  } else throw new UsageError(`org plan: unknown format "${values.format}" (use github or gitlab)`);
  return EXIT_CLEAN;
}

async function orgMerge(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('org merge', argv, { ...REPORT_OPTIONS, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) return help(io, MERGE_USAGE);
  if (positionals.length === 0) throw new UsageError('org merge: name the shard reports to merge (REPORT.json...)');
  checkReportFlags('org merge', values);
  const reports = positionals.map((p) => {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, p), 'utf8');
    } catch (e) {
      throw new UsageError(`org merge: cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return parseOrgReport(text, p);
  });
  return writeOrgReport('org merge', mergeOrgReports(reports, meta()), values, io);
}

async function orgEnqueue(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('org enqueue', argv, { ...QUEUE_OPTIONS, ...LISTING_OPTIONS, ...RETRY_OPTIONS, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) return help(io, ENQUEUE_USAGE);
  if (positionals.length) throw new UsageError(`org enqueue: unexpected argument "${positionals[0]}"`);
  const target = queueTarget('org enqueue', values, io);
  const retry = retryPolicy('org enqueue', values);
  const repos = await listRepositories('org enqueue', values, io);
  const { enqueueRepositories } = await import('@tokenward/org/queue');
  const s = await enqueueRepositories(target, repos, {
    retry,
    env: io.env,
    onRepository(repo, _outcome, note) {
      if (note) io.stderr.write(`tokenward: ${repo.name}: ${note}\n`);
    },
  });
  io.stdout.write(`queued ${repos.length} ${repos.length === 1 ? 'repository' : 'repositories'}: ${s.added} added, ${s.queued} already queued or done at the same tips, ${s.retried} failed ${s.retried === 1 ? 'one' : 'ones'} retried\n`);
  return EXIT_CLEAN;
}

async function orgStatus(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('org status', argv, { ...QUEUE_OPTIONS, format: { type: 'string', short: 'f', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) return help(io, STATUS_USAGE);
  if (positionals.length) throw new UsageError(`org status: unexpected argument "${positionals[0]}"`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`org status: unknown format "${values.format}" (use text or json)`);
  const target = queueTarget('org status', values, io);
  const { queueStatus } = await import('@tokenward/org/queue');
  const s = await queueStatus(target);
  if (values.format === 'json') {
    io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return EXIT_CLEAN;
  }
  const c = s.counts;
  io.stdout.write(
    `queued ${c.waiting}, active ${c.active}, retrying ${c.delayed}, done ${c.completed}, failed ${c.failed}\n` +
      `workers ${s.workers}, ${s.perMinute.toFixed(1)} repositories/minute (last 5 minutes), ${s.repositories} repositories stored\n`,
  );
  for (const f of s.failures) io.stdout.write(`failed: ${f.repository} after ${f.attempts} ${f.attempts === 1 ? 'attempt' : 'attempts'}: ${f.reason}\n`);
  return EXIT_CLEAN;
}

async function orgReport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('org report', argv, { ...QUEUE_OPTIONS, ...REPORT_OPTIONS, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) return help(io, REPORT_USAGE);
  if (positionals.length) throw new UsageError(`org report: unexpected argument "${positionals[0]}"`);
  checkReportFlags('org report', values);
  const target = queueTarget('org report', values, io);
  const { queueResults } = await import('@tokenward/org/queue');
  return writeOrgReport('org report', buildOrgReport(await queueResults(target), meta()), values, io);
}

function help(io: Io, text: string): number {
  io.stdout.write(`${text}\n`);
  return EXIT_CLEAN;
}

const SUBCOMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  scan: orgScan,
  plan: orgPlan,
  merge: orgMerge,
  enqueue: orgEnqueue,
  status: orgStatus,
  report: orgReport,
};

export const orgCommand: Command = {
  name: 'org',
  summary: 'scan every repository of a GitHub organisation, GitLab group or list: in-process, on a Redis queue, or as CI shards',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') return help(io, HELP);
    const run = SUBCOMMANDS[sub];
    if (!run) throw new UsageError(`org: unknown command "${sub}" (use ${Object.keys(SUBCOMMANDS).join(', ')})`);
    try {
      return await run(rest, io);
    } catch (e) {
      if (e instanceof ShardError || e instanceof QueueUrlError || e instanceof ReportFormatError) throw new UsageError(`org ${sub}: ${e.message}`);
      throw e;
    }
  },
};

