import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Confidence, Finding, Severity } from '@tokenward/engine';
import { parseSize, toolVersion, useColor, type Command, type Io } from '../cli-util.js';
import { defineCommand, type CommandInput } from '../command.js';
import { EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError } from '../errors.js';
import { formatBytes, REPORTERS, type Report, type ReportOptions } from '../reporters/index.js';
import { markStateDir, rememberReport } from '@tokenward/project';
import { emptyStats, FilesSource, listFiles, runGit, StreamSource, type ScanProblem, type ScanStats, type Source } from '@tokenward/sources';
import { GIT_SCAN_HELP, GIT_SCAN_OPTIONS, gitScanRequested, gitSource, type GitScan } from '../git-scan.js';
import { REVOKE_SCAN_HELP, REVOKE_SCAN_OPTIONS, runScanHooks, verificationRequested, verifyReport } from '../revoke-hooks.js';
import { blockedAdvice } from './hook.js';
import { ScanSession } from '../session.js';
import { suppressionFlags, type ScanInternals } from '../suppression.js';

const FORMATS = Object.keys(REPORTERS);

const HELP = `Usage: tokenward scan [options] [PATH...]

Scan files and folders (default: .) for leaked tokens. Inside a git repository the files git
tracks or would track are scanned (.gitignore is honoured). Use "-" to read standard input as a
stream (piped logs).

Options:
  -f, --format FORMAT     text (default), json, jsonl, sarif, github, gitlab (GitLab secret
                          detection report, gl-secret-detection-report.json)
  -o, --output FILE       write the report to FILE instead of standard output
      --show-secrets      print raw secret values (off by default: values are redacted)
      --redact[=PERCENT]  hide PERCENT of each secret (default 100: fully masked, "****");
                          below 100 a prefix stays readable, as gitleaks does
      --exit-code N       exit code when secrets are found (default 1)
      --no-color          no colours (also: NO_COLOR=1)
      --rules PATH        extra rule file or folder (repeatable)
      --config FILE       configuration file (default: .tokenward.yaml/.yml/.json found from
                          the first PATH upwards); --no-config uses defaults only
      --baseline FILE     hide findings accepted in FILE (default: "baseline" in the config);
                          --no-baseline shows them
      --update-baseline   rewrite the baseline to accept every current finding
      --show-suppressed   also list findings hidden by inline comments, the baseline, the
                          config allow-list or path ignores, with the reason
      --no-ignore         do not honour .gitignore: walk every file
      --max-file-size N   skip files larger than N (e.g. 10MB); skipped files are counted
      --skip-unreadable   a file that cannot be read is listed but does not make the exit code 2
      --threads N         threads that scan (default: by input size and cores; 1 = no workers)
      --min-confidence C  only report findings of at least this confidence: low (default:
                          everything; context-only findings are marked "(generic)"), medium
                          (provider format) or high (checksum-verified); overrides the
                          configuration's minConfidence
      --min-severity S    only report findings of rules of at least this severity: low,
                          medium, high or critical; overrides the configuration's minSeverity
  -q, --quiet             no summary line when nothing is found
  -h, --help              show this help

${GIT_SCAN_HELP}

${REVOKE_SCAN_HELP}

Exit codes: 0 no secrets found, 1 secrets found (--exit-code N), 2 usage or runtime error.`;

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  output: { type: 'string', short: 'o' },
  'show-secrets': { type: 'boolean', default: false },
  color: { type: 'boolean' },
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
  baseline: { type: 'string' },
  'no-baseline': { type: 'boolean' },
  'update-baseline': { type: 'boolean', default: false },
  'show-suppressed': { type: 'boolean', default: false },
  ignore: { type: 'boolean', default: true },
  'max-file-size': { type: 'string' },
  'skip-unreadable': { type: 'boolean' },
  threads: { type: 'string' },
  'min-confidence': { type: 'string' },
  'min-severity': { type: 'string' },
  redact: { type: 'string' },
  'exit-code': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  ...GIT_SCAN_OPTIONS,
  ...REVOKE_SCAN_OPTIONS,
} as const;

const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

function parseMinConfidence(value: string | undefined): Confidence | undefined {
  if (value === undefined) return undefined;
  if (!(CONFIDENCES as readonly string[]).includes(value)) throw new UsageError(`scan: --min-confidence takes low, medium or high, got "${value}"`);
  return value as Confidence;
}

function parseMinSeverity(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new UsageError(`scan: --min-severity takes low, medium, high or critical, got "${value}"`);
  return value as Severity;
}

/** `--redact` alone means 100 (gitleaks' convention: the flag's value is optional). */
function normalizeRedactFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a === '--') return [...out, ...argv.slice(out.length)];
    out.push(a === '--redact' ? '--redact=100' : a);
  }
  return out;
}

function parseWhole(value: string, flag: string, min: number, max: number, what: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`scan: ${flag} takes ${what}, got "${value}"`);
  return n;
}

/**
 * Keeps a report file out of `git status`: its path goes to the repository's `.git/info/exclude`
 * (local to this clone, never committed), unless git already tracks or ignores it.
 */
function excludeFromGit(file: string, env: NodeJS.ProcessEnv): void {
  const git = (args: string[]) => runGit(args, dirname(file), { env });
  const top = git(['rev-parse', '--show-toplevel']);
  if (top.status !== 0) return;
  const root = top.stdout.toString('utf8').trim();
  if (git(['check-ignore', '-q', file]).status === 0) return;
  if (git(['ls-files', '--error-unmatch', file]).status === 0) return;
  const excludePath = git(['rev-parse', '--git-path', 'info/exclude']).stdout.toString('utf8').trim();
  if (!excludePath) return;
  const exclude = isAbsolute(excludePath) ? excludePath : resolve(dirname(file), excludePath);
  const line = `/${relative(root, file).split(sep).join('/')}`;
  try {
    const text = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
    if (text.split('\n').includes(line)) return;
    mkdirSync(dirname(exclude), { recursive: true });
    writeFileSync(exclude, `${text}${text && !text.endsWith('\n') ? '\n' : ''}# report written by tokenward scan -o\n${line}\n`);
  } catch {
    // Only costs a line in git status.
  }
}

function recordReport(io: Io, file: string): void {
  excludeFromGit(file, io.env);
  rememberReport(io.cwd, file);
}

/**
 * Paths as the user gave them, as ripgrep prints them: a file found under `./src` is
 * `./src/a.ts`, under `/abs/src` it is `/abs/src/a.ts`, under `src` it is `src/a.ts`.
 */
function displayAsGiven<T extends { abs: string; display: string }>(files: T[], paths: readonly string[], cwd: string): T[] {
  const roots = paths
    .map((p) => ({ given: p.replace(/[\\/]+$/, '') || p, abs: isAbsolute(p) ? resolve(p) : resolve(cwd, p) }))
    .filter((r) => r.given !== '.' && r.given !== '');
  if (roots.length === 0) return files;
  return files.map((f) => {
    for (const r of roots) {
      if (f.abs === r.abs) return { ...f, display: r.given.split(sep).join('/') };
      if (f.abs.startsWith(r.abs + sep)) return { ...f, display: `${r.given}/${f.abs.slice(r.abs.length + 1)}`.split(sep).join('/') };
    }
    return f;
  });
}

/** Writes progress on stderr for long scans when stderr is a terminal. */
function progressReporter(io: Io): { update(s: ScanStats): void; done(): void } {
  if (!io.stderr.isTTY) return { update() {}, done() {} };
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(s) {
      const now = Date.now();
      if (now - started < 500 || now - last < 100) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\u001b[Kscanning… ${s.files} files, ${formatBytes(s.bytes)}, ${s.findings} secrets`);
    },
    done() {
      if (shown) io.stderr.write('\r\u001b[K');
    },
  };
}

/** `tokenward scan`; `internal` carries what other commands ask of it (`tokenward baseline`). */
export function scanCommandFor(internal?: ScanInternals): Command {
  return defineCommand({
    name: 'scan',
    summary: 'scan files, folders or standard input for leaked tokens',
    help: HELP,
    options: OPTIONS,
    normalize: normalizeRedactFlag,
    run: (input, io) => runScan(input, io, internal),
  });
}

export const scanCommand = scanCommandFor();

async function runScan({ values, positionals, argv }: CommandInput<typeof OPTIONS>, io: Io, internal: ScanInternals | undefined): Promise<number> {
  const reporter = REPORTERS[values.format];
  if (!reporter) throw new UsageError(`scan: unknown format "${values.format}" (use ${FORMATS.join(', ')})`);
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = /^\d+$/.test(values.threads) ? Number(values.threads) : NaN;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new UsageError(`scan: --threads takes a whole number of at least 1 (1 = no worker threads), got "${values.threads}"`);
    }
  }
  parseMinConfidence(values['min-confidence']);
  parseMinSeverity(values['min-severity']);
  const redactPercent = values.redact !== undefined ? parseWhole(values.redact, '--redact', 0, 100, 'a percentage from 0 to 100') : undefined;
  if (redactPercent !== undefined && values['show-secrets']) throw new UsageError('scan: --redact and --show-secrets contradict each other');
  const findingsExit = values['exit-code'] !== undefined ? parseWhole(values['exit-code'], '--exit-code', 0, 255, 'a whole number from 0 to 255') : EXIT_FINDINGS;
  const outputFile = values.output !== undefined ? resolve(io.cwd, values.output) : undefined;
  if (outputFile !== undefined) {
    // Checked before scanning, so a long scan does not end in a lost report.
    const folder = dirname(outputFile);
    let isDir: boolean;
    try {
      isDir = statSync(folder).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new UsageError(`scan: -o ${values.output}: folder not found: ${relative(io.cwd, folder) || folder} (create it first)`);
  }
  const paths = positionals.length ? positionals : ['.'];
  if (paths.includes('-') && paths.length > 1) throw new UsageError('scan: "-" (standard input) cannot be combined with other paths');

  // An incremental history scan is kept per rule set: new or changed rules see old commits too.
  const gitScan = (): Promise<GitScan> => gitSource(values, { io, paths: positionals, scope: () => createHash('sha256').update(JSON.stringify(defs)).digest('hex') });
  // Pre-commit: git lists what is staged while the rules load.
  const staged = values.staged ? gitScan() : undefined;
  staged?.catch(() => {});
  const session = ScanSession.open(io, paths, { ...suppressionFlags(argv, values, internal), rules: values.rules });
  const { suppression } = session;
  const { defs } = session.rules;
  const maxFileSizeText = values['max-file-size'] ?? suppression.maxFileSize;
  const maxFileSize = maxFileSizeText !== undefined ? parseSize(maxFileSizeText, '--max-file-size') : undefined;
  const toFile = values.output !== undefined;
  const options: ReportOptions = {
    showSecrets: values['show-secrets'],
    color: !toFile && useColor(values.color, io.stdout, io.env),
    showSuppressed: values['show-suppressed'],
    ...(redactPercent !== undefined ? { redactPercent } : {}),
  };
  const report: Report = {
    findings: [],
    stats: emptyStats(),
    problems: [],
    skippedFiles: [],
    rules: defs,
    toolVersion: toolVersion(),
    root: io.cwd,
  };

  // Every source — git history, staged changes, a pre-push range, standard input, files — is
  // scanned by the same pool and reported the same way below.
  const stdin = !gitScanRequested(values) && paths[0] === '-';
  // Streamed formats print each finding at once and keep none (endless input, bounded memory).
  // With --verify the answers are part of every finding, so the report is written whole.
  const streamed = stdin && !toFile && reporter.finding !== undefined && !verificationRequested(values);
  let listingProblems: ScanProblem[] = [];
  let source: Source;
  let git: GitScan | undefined;
  if (gitScanRequested(values)) {
    git = await (staged ?? gitScan());
    source = git.source;
  } else if (stdin) source = new StreamSource(io.stdin);
  else {
    const listed = await listFiles(paths, { noIgnore: !values.ignore, submodules: values.submodules, cwd: io.cwd, env: io.env, ...(outputFile ? { exclude: [outputFile] } : {}) });
    listingProblems = listed.problems;
    source = new FilesSource(suppression.filterFiles(displayAsGiven(listed.files, paths, io.cwd)));
  }
  let first = true;
  const onFinding = (f: Finding) => {
    if (suppression.hideStreamed(f)) return;
    if (streamed) {
      io.stdout.write(reporter.finding!(f, options, first));
      first = false;
    } else report.findings.push(f);
  };
  const progress = progressReporter(io);
  const result = await session.scan(source, {
    threads,
    maxFileSize,
    onProgress: (s) => progress.update(s),
    ...(stdin ? { onFindings: (found: Finding[]) => found.forEach(onFinding) } : {}),
  });
  progress.done();
  if (stdin) {
    report.stats = result.stats;
    report.stats.findings -= suppression.belowThreshold;
  } else {
    Object.assign(report, { findings: result.findings, stats: result.stats, problems: [...listingProblems, ...result.problems], skippedFiles: result.skippedFiles });
    report.stats.unreadable += listingProblems.length;
  }

  // Every source's findings pass through suppression here (thresholds, inline, allow-list, path,
  // .gitleaksignore, baseline): the same Suppressor the language server uses.
  const ended = suppression.finish(report);
  if (ended !== undefined) return ended;
  // --verify: answers (and --only-verified) are part of the report, so they come before it.
  await verifyReport(values, { io, report, defs, paths, config: session.config });
  const total = streamed ? report.stats.findings - (report.suppressed?.length ?? 0) : report.findings.length;
  // --since-last: once the report is out, the next run starts after these commits; not when an
  // object could not be read (the next run tries again) unless the user accepts it (--skip-unreadable).
  const recordScanned = () => {
    if (git?.complete && (report.problems.length === 0 || values['skip-unreadable'])) git.complete();
  };
  if (total === 0 && report.problems.length === 0 && values.quiet && values.format === 'text') {
    recordScanned();
    return EXIT_CLEAN;
  }
  const text = reporter.finish(report, options, streamed);
  if (outputFile) {
    writeFileSync(outputFile, text);
    recordReport(io, outputFile);
    // One message whatever the format.
    io.stderr.write(`tokenward: wrote ${total} ${total === 1 ? 'finding' : 'findings'} to ${values.output} (${values.format})\n`);
  } else io.stdout.write(text);
  recordScanned();
  markStateDir(io.cwd);
  // Unreadable files are warned about in the report; on stderr too when the report is data.
  if (values.format !== 'text' || toFile) {
    for (const p of report.problems) io.stderr.write(`tokenward: warning: cannot read ${p.path}: ${p.message}\n`);
  }
  // --revoke-policy acts on the findings after the report (network, stderr output).
  if ((await runScanHooks(values, { io, findings: report.findings, defs, paths, config: session.config })) !== undefined) return findingsExit;
  // A file that could not be read may hold a secret: neither "clean" nor "these are all" is
  // true, so 2 wins over the findings code (the findings are still reported above).
  if (total > 0 && (values.staged || values['pre-push'])) {
    // The hook's user needs the next step, not only the verdict.
    io.stderr.write(blockedAdvice(values.staged ? 'commit' : 'push', report.findings.map((f) => f.origin.path)));
  }
  if (report.problems.length > 0 && !values['skip-unreadable']) return EXIT_ERROR;
  return total > 0 ? findingsExit : EXIT_CLEAN;
}
