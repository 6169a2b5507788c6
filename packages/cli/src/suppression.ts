import { isAbsolute, resolve } from 'node:path';
import { type CompiledRules, type Confidence, type Finding, type RuleDefinition, type Severity } from '@tokenward/engine';
import {
  baselineEntryPath,
  DEFAULT_BASELINE_FILE,
  displayPath,
  findUpwards,
  loadProjectSettings,
  scanRootOf,
  Suppressor,
  updateBaselineEntries,
  UsageError,
  writeBaseline,
  type BaselineUpdate,
  type LoadedBaseline,
  type ProjectSettings,
  type SuppressedFinding,
} from '@tokenward/project';

export type { SuppressedFinding } from '@tokenward/project';
export { DEFAULT_BASELINE_FILE } from '@tokenward/project';

/**
 * Rewrites the baseline to accept every finding not hidden otherwise (baselined ones included).
 * `fresh` starts from nothing (`tokenward baseline`); otherwise notes are kept and entries for
 * places this scan did not cover stay.
 */
export function rewriteBaseline(
  file: string,
  previous: LoadedBaseline | undefined,
  accepted: readonly Finding[],
  o: { cwd: string; covered: ReadonlySet<string>; fresh?: boolean; note?: string },
): BaselineUpdate {
  const existing = o.fresh ? [] : (previous?.entries ?? []);
  const update = updateBaselineEntries(existing, accepted, {
    cwd: o.cwd,
    baselineFile: file,
    note: o.note,
    covers: (entry) => o.covered.has(baselineEntryPath(entry, file)),
  });
  writeBaseline(file, update.entries);
  return update;
}

/** Findings the baseline should hold: everything found minus what inline comments, the allow-list
 * and path ignores already hide (those need no baseline entry). */
export function baselineCandidates(reported: readonly Finding[], suppressed: readonly SuppressedFinding[]): Finding[] {
  return [...reported, ...suppressed.filter((s) => s.reason.kind === 'baseline').map((s) => s.finding)];
}

/** Absolute paths a scan looked at, so a baseline update only drops entries it could have seen. */
export function coveredPaths(cwd: string, scannedDisplayPaths: Iterable<string>, findings: readonly Finding[]): Set<string> {
  const out = new Set<string>();
  const add = (p: string) => out.add(p.startsWith('<') ? p : isAbsolute(p) ? p : resolve(cwd, p));
  for (const p of scannedDisplayPaths) add(p);
  for (const f of findings) add(f.origin.path);
  return out;
}

/** What other commands ask of `scan` beyond its command line (`tokenward baseline`). */
export interface ScanInternals {
  baselineOutput?: { file?: string; note?: string };
}

/** What `scan` needs from the command line to set up suppression. */
export interface SuppressionFlags {
  config?: string;
  /** `--no-config`. */
  noConfig?: boolean;
  baseline?: string;
  /** `--no-baseline`. */
  noBaseline?: boolean;
  updateBaseline?: boolean;
  showSuppressed?: boolean;
  /** `--min-confidence` (validated by scan): overrides the configuration's `minConfidence`. */
  minConfidence?: Confidence;
  /** `--min-severity` (validated by scan): overrides the configuration's `minSeverity`. */
  minSeverity?: Severity;
  /** `tokenward baseline`: write a fresh baseline instead of reporting, to `file` (default: the
   * configuration's `baseline`, else DEFAULT_BASELINE_FILE). */
  baselineOutput?: { file?: string; note?: string };
}

/**
 * Suppression for one `scan` run, from settings to the rewritten baseline. `scan` calls it at a
 * few points only (rules, file list, each streamed finding, and once on the final finding list),
 * so every source — files, stdin, git history, staged changes — passes through the same step.
 */
export class ScanSuppression {
  readonly suppressor: Suppressor;
  private readonly scanned = new Set<string>();
  private readonly streamedAccepted: Finding[] = [];
  private readonly streamedSuppressed: SuppressedFinding[] = [];
  /** Streamed findings below the minimum confidence or severity (not reported, not suppressed). */
  belowThreshold = 0;

  constructor(
    readonly settings: ProjectSettings,
    private readonly flags: SuppressionFlags,
    private readonly io: { cwd: string; stderr: NodeJS.WritableStream },
  ) {
    this.suppressor = new Suppressor(settings, io.cwd);
  }

  static start(paths: readonly string[], flags: SuppressionFlags, io: { cwd: string; stderr: NodeJS.WritableStream; env?: NodeJS.ProcessEnv }): ScanSuppression {
    if (flags.updateBaseline && flags.noBaseline) throw new UsageError('scan: --update-baseline and --no-baseline contradict each other');
    const fresh = flags.baselineOutput !== undefined;
    const settings = loadProjectSettings({
      cwd: io.cwd,
      paths,
      ...(io.env ? { env: io.env } : {}),
      warn: (m: string) => io.stderr.write(`tokenward: warning: ${m}\n`),
      configFile: flags.config,
      noConfig: flags.noConfig,
      baselineFile: flags.baseline,
      // A fresh baseline ignores the old one (even a broken one): every current finding goes in.
      noBaseline: flags.noBaseline || fresh,
      writingBaseline: fresh || flags.updateBaseline,
      minConfidence: flags.minConfidence,
      minSeverity: flags.minSeverity,
    });
    if (fresh) {
      const out = flags.baselineOutput!.file;
      // The file `scan` and the editor will read: the configured one, else the default file that
      // is already there (from the scan root upwards), else a new one here.
      settings.baselineFile =
        out !== undefined
          ? resolve(io.cwd, out)
          : (settings.config.resolved.baseline ?? findUpwards(scanRootOf(paths, io.cwd), DEFAULT_BASELINE_FILE) ?? resolve(io.cwd, DEFAULT_BASELINE_FILE));
    }
    if (flags.updateBaseline && !settings.baselineFile) {
      throw new UsageError('scan: --update-baseline needs --baseline FILE (or "baseline" in the configuration)');
    }
    return new ScanSuppression(settings, flags, io);
  }

  /** Applies disabledRules, the minimum severity and a picked-up .gitleaks.toml's allowlist. */
  selectRules(loaded: { defs: RuleDefinition[]; compiled: CompiledRules }): { defs: RuleDefinition[]; compiled: CompiledRules } {
    return this.suppressor.selectRules(loaded.defs, loaded.compiled);
  }

  /** Rule files from the configuration and a `.gitleaks.toml` at the repository root (before --rules). */
  get ruleFiles(): string[] {
    return this.settings.ruleFiles;
  }

  /** Configured `maxFileSize`, if any (the command line wins). */
  get maxFileSize(): string | undefined {
    const v = this.settings.config.config.maxFileSize;
    return v === undefined ? undefined : String(v);
  }

  /**
   * Drops path-ignored files before they are read (the fast path). With --show-suppressed they are
   * scanned, so their findings can be listed with the ignore rule that hides them.
   */
  filterFiles<T extends { abs: string; display: string }>(files: readonly T[]): T[] {
    for (const f of files) this.scanned.add(f.abs);
    if (this.flags.showSuppressed || this.settings.pathIgnore.empty) return [...files];
    return files.filter((f) => this.suppressor.pathIgnored(f.abs) === undefined);
  }

  /** For streamed findings (stdin): true when the finding must not be printed. */
  hideStreamed(f: Finding): boolean {
    if (!this.suppressor.meetsThresholds(f)) {
      this.belowThreshold++;
      return true;
    }
    const reason = this.suppressor.reasonFor(f);
    if (reason) this.streamedSuppressed.push({ finding: f, reason });
    if (!reason || reason.kind === 'baseline') this.streamedAccepted.push(f);
    return reason !== undefined;
  }

  /**
   * Applies suppression to the final finding list (and collects what streaming hid), then writes
   * the baseline when asked. Returns an exit code when the run ends here (`tokenward baseline`).
   */
  finish(report: { findings: Finding[]; suppressed?: SuppressedFinding[] }): number | undefined {
    const { findings, suppressed } = this.suppressor.apply(report.findings);
    suppressed.push(...this.streamedSuppressed);
    const file = this.settings.baselineFile;
    if (file && (this.flags.baselineOutput || this.flags.updateBaseline)) {
      const accepted = [...baselineCandidates(findings, suppressed), ...this.streamedAccepted.filter((f) => !findings.includes(f))];
      const update = rewriteBaseline(file, this.settings.baseline, accepted, {
        cwd: this.io.cwd,
        covered: coveredPaths(this.io.cwd, this.scanned, accepted),
        fresh: this.flags.baselineOutput !== undefined,
        note: this.flags.baselineOutput?.note,
      });
      const shown = displayPath(file, this.io.cwd);
      if (this.flags.baselineOutput) {
        this.io.stderr.write(`tokenward: wrote ${update.entries.length} ${update.entries.length === 1 ? 'entry' : 'entries'} to ${shown} (fingerprints only, no secrets)\n`);
        return 0;
      }
      this.io.stderr.write(`tokenward: baseline ${shown} updated: ${update.added} added, ${update.removed} removed, ${update.kept} kept\n`);
      // Everything reported is now accepted by the rewritten baseline.
      for (const f of findings) suppressed.push({ finding: f, reason: { kind: 'baseline', file: shown, fingerprint: f.fingerprint } });
      findings.length = 0;
    }
    suppressed.sort((a, b) => compareForReport(a.finding, b.finding));
    report.findings = findings;
    report.suppressed = suppressed;
    return undefined;
  }
}

function compareForReport(a: Finding, b: Finding): number {
  if (a.origin.path !== b.origin.path) return a.origin.path < b.origin.path ? -1 : 1;
  return a.byteOffset - b.byteOffset;
}

/**
 * Suppression flags from parsed `scan` options. node:util parseArgs turns `--no-config` into
 * `config: false` when both options are declared, so both spellings are checked.
 */
export function suppressionFlags(
  argv: readonly string[],
  values: { config?: unknown; baseline?: unknown; 'update-baseline'?: boolean; 'show-suppressed'?: boolean; 'min-confidence'?: unknown; 'min-severity'?: unknown },
  internal?: ScanInternals,
): SuppressionFlags {
  return {
    config: typeof values.config === 'string' ? values.config : undefined,
    noConfig: values.config === false || argv.includes('--no-config'),
    baseline: typeof values.baseline === 'string' ? values.baseline : undefined,
    noBaseline: values.baseline === false || argv.includes('--no-baseline'),
    updateBaseline: values['update-baseline'] === true,
    showSuppressed: values['show-suppressed'] === true,
    minConfidence: typeof values['min-confidence'] === 'string' ? (values['min-confidence'] as Confidence) : undefined,
    minSeverity: typeof values['min-severity'] === 'string' ? (values['min-severity'] as Severity) : undefined,
    baselineOutput: internal?.baselineOutput,
  };
}
