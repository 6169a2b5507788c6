import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  compileAllowList,
  compileRules,
  CONFIDENCE_ORDER,
  matchAllowList,
  SEVERITY_ORDER,
  type CompiledAllowEntry,
  type CompiledRules,
  type Confidence,
  type Finding,
  type RuleAllow,
  type RuleDefinition,
  type Severity,
  type SuppressionReason,
} from '@tokenward/engine';
import { readBaseline, type LoadedBaseline } from './baseline.js';
import { loadConfig, scanRootOf, selectRules, type LoadedConfig } from './config.js';
import { UsageError } from './errors.js';
import { gitleaksGlobalAllow } from './gitleaks-import.js';
import { findUpwards, IGNORE_FILE_NAME, PathIgnore, repositoryRoot } from './ignore-file.js';

/** The baseline `tokenward baseline` writes, and every command and the editor read, when the
 * configuration names none: found from the scan root upwards (to the repository root). */
export const DEFAULT_BASELINE_FILE = '.tokenward-baseline.json';
export const GITLEAKS_IGNORE_FILE = '.gitleaksignore';
export const GITLEAKS_CONFIG_FILE = '.gitleaks.toml';

/*
 * Project-level suppression shared by the CLI and the language server: which configuration,
 * ignore files, allow-list and baseline apply to a scan root, and for a finding, whether one of
 * them (or an inline directive the engine found) hides it and why.
 */

/** A finding that something the user wrote hides, and what. */
export interface SuppressedFinding {
  finding: Finding;
  reason: SuppressionReason;
}

export interface ProjectSettingsOptions {
  cwd: string;
  /** The scan paths (the configuration is searched from the first one upwards). */
  paths: readonly string[];
  configFile?: string;
  noConfig?: boolean;
  /** `--baseline FILE` (overrides the configuration's `baseline`). */
  baselineFile?: string;
  /** `--no-baseline`: report baselined findings too. */
  noBaseline?: boolean;
  /** The baseline will be (re)written: a missing file is not an error. */
  writingBaseline?: boolean;
  /** `--min-confidence` or the editor's setting: overrides the configuration's `minConfidence`. */
  minConfidence?: Confidence;
  /** `--min-severity`: overrides the configuration's `minSeverity`. */
  minSeverity?: Severity;
  /** Editor mode: a broken file is recorded here and skipped instead of stopping everything. */
  problems?: string[];
  /** Environment for the user's configuration and trust records (XDG_CONFIG_HOME, HOME). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where warnings go (keys an untrusted configuration may not set) when `problems` is not given. Default: stderr. */
  warn?: (message: string) => void;
}

/** `.gitleaksignore` entries: gitleaks' `file:rule:line` and `commit:file:rule:line` fingerprints. */
export interface GitleaksIgnore {
  file: string;
  /** Folder the entries' paths are relative to (the repository root). */
  base: string;
  entries: Map<string, number>;
}

/** Configuration, path ignores, allow-list and baseline for one run. */
export interface ProjectSettings {
  config: LoadedConfig;
  pathIgnore: PathIgnore;
  allow: CompiledAllowEntry[];
  inlineIgnores: boolean;
  /** The baseline file in use (from --baseline or the configuration), if any. */
  baselineFile: string | undefined;
  baseline: LoadedBaseline | undefined;
  /** Findings below these are not reported (flag or editor setting, else configuration). */
  minConfidence: Confidence | undefined;
  minSeverity: Severity | undefined;
  /** Extra rule files: the configuration's `rules`, then a `.gitleaks.toml` at the repository root. */
  ruleFiles: string[];
  /** The picked-up `.gitleaks.toml`: its global `[allowlist]` applies to every rule. */
  gitleaksConfig: { file: string; allow: RuleAllow[]; commits: string[]; warnings: string[] } | undefined;
  gitleaksIgnore: GitleaksIgnore | undefined;
}

/** Runs `load`; in editor mode (problems given) a failure is recorded and `fallback` returned. */
function tolerate<T>(problems: string[] | undefined, load: () => T, fallback: T): T {
  if (!problems) return load();
  try {
    return load();
  } catch (e) {
    problems.push((e as Error).message);
    return fallback;
  }
}

function readGitleaksIgnore(file: string): GitleaksIgnore {
  const entries = new Map<string, number>();
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const l = raw.trim();
      if (l && !l.startsWith('#')) entries.set(l.replace(/\\/g, '/'), i + 1);
    });
  return { file, base: dirname(file), entries };
}

export function loadProjectSettings(o: ProjectSettingsOptions): ProjectSettings {
  const scanRoot = scanRootOf(o.paths, o.cwd);
  const empty = loadConfig({ cwd: o.cwd, noConfig: true });
  // In the editor, what a configuration may not decide is reported with the other problems.
  const warn = o.problems ? (m: string) => o.problems!.push(m) : o.warn;
  const config = tolerate(o.problems, () => loadConfig({ cwd: o.cwd, scanRoot, configFile: o.configFile, noConfig: o.noConfig, ...(o.env ? { env: o.env } : {}), ...(warn ? { warn } : {}) }), empty);
  const pathIgnore = new PathIgnore();
  if (config.file && config.config.ignorePaths) {
    const shown = displayPath(config.file, o.cwd);
    pathIgnore.add(config.config.ignorePaths, config.dir, config.file, (i) => `${shown} ignorePaths[${i}]`);
  }
  const ignoreFile = o.noConfig ? undefined : findUpwards(scanRoot, IGNORE_FILE_NAME);
  if (ignoreFile) tolerate(o.problems, () => pathIgnore.addFile(ignoreFile), pathIgnore);
  // The same default everywhere: the configuration's `baseline`, else the default file when one exists.
  const baselineFile = o.noBaseline
    ? undefined
    : o.baselineFile !== undefined
      ? resolve(o.cwd, o.baselineFile)
      : (config.resolved.baseline ?? findUpwards(scanRoot, DEFAULT_BASELINE_FILE));
  let baseline: LoadedBaseline | undefined;
  if (baselineFile) {
    baseline = tolerate(
      o.problems,
      () => {
        try {
          return readBaseline(baselineFile);
        } catch (e) {
          // A baseline about to be written for the first time need not exist yet.
          if (!((o.writingBaseline || !existsSync(baselineFile)) && e instanceof UsageError && e.message.startsWith('baseline not found') && (o.writingBaseline || o.problems))) throw e;
          return undefined;
        }
      },
      undefined,
    );
  }
  // gitleaks' files at the repository root, so a repository switching scanners keeps its silences.
  const repoRoot = repositoryRoot(scanRoot) ?? scanRoot;
  const gitleaksToml = o.noConfig ? undefined : join(repoRoot, GITLEAKS_CONFIG_FILE);
  const gitleaksConfig =
    gitleaksToml && existsSync(gitleaksToml) ? tolerate(o.problems, () => ({ file: gitleaksToml, ...gitleaksGlobalAllow(readFileSync(gitleaksToml, 'utf8'), gitleaksToml) }), undefined) : undefined;
  const gitleaksIgnoreFile = o.noConfig ? undefined : join(repoRoot, GITLEAKS_IGNORE_FILE);
  const gitleaksIgnore = gitleaksIgnoreFile && existsSync(gitleaksIgnoreFile) ? tolerate(o.problems, () => readGitleaksIgnore(gitleaksIgnoreFile), undefined) : undefined;
  const ruleFiles = [...config.resolved.rules];
  if (gitleaksConfig && !ruleFiles.includes(gitleaksConfig.file)) ruleFiles.push(gitleaksConfig.file);
  return {
    config,
    pathIgnore,
    allow: tolerate(o.problems, () => compileAllowList(config.allow), []),
    inlineIgnores: config.config.inlineIgnores ?? true,
    baselineFile,
    baseline,
    minConfidence: o.minConfidence ?? config.config.minConfidence,
    minSeverity: o.minSeverity ?? config.config.minSeverity,
    ruleFiles,
    gitleaksConfig,
    gitleaksIgnore,
  };
}

export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

/**
 * Decides, for each finding from any source (files, stdin, git history, staged changes, editor
 * buffers), whether the user hid it and why. The CLI, the hook, CI and the language server all use
 * this one class, so they cannot disagree. Precedence: path ignore, inline comment, config allow,
 * `.gitleaks.toml` allowlist commits, `.gitleaksignore`, baseline.
 */
export class Suppressor {
  constructor(
    readonly settings: ProjectSettings,
    private readonly cwd: string,
  ) {}

  /**
   * The rules to run: `disabledRules` and the minimum severity (flag over configuration) applied,
   * and a picked-up `.gitleaks.toml`'s global `[allowlist]` added to every rule (gitleaks applies it
   * to all rules, built-in ones included).
   */
  selectRules(defs: RuleDefinition[], compiled: CompiledRules): { defs: RuleDefinition[]; compiled: CompiledRules } {
    const gl = this.settings.gitleaksConfig;
    if (gl && gl.allow.length) {
      defs = defs.map((d) => (d.source?.file === gl.file ? d : { ...d, allow: [...(d.allow ?? []), ...gl.allow] }));
      compiled = compileRules(defs);
    }
    const loaded = this.settings.config;
    const withSeverity = { ...loaded, config: { ...loaded.config, minSeverity: this.settings.minSeverity } };
    return selectRules(withSeverity, defs, compiled);
  }

  /** True when a finding reaches the minimum confidence and severity (below them it is not a
   * suppression: it is not reported at all, as a rule that did not run). */
  meetsThresholds(f: Pick<Finding, 'confidence' | 'severity'>): boolean {
    const c = this.settings.minConfidence;
    const s = this.settings.minSeverity;
    return (c === undefined || CONFIDENCE_ORDER[f.confidence] >= CONFIDENCE_ORDER[c]) && (s === undefined || SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[s]);
  }

  /** The `.gitleaksignore` line hiding a finding: `file:rule:line` anywhere, `commit:file:rule:line` in that commit. */
  private gitleaksIgnored(f: Finding): { line: number; entry: string } | undefined {
    const gi = this.settings.gitleaksIgnore;
    if (!gi || f.origin.path.startsWith('<')) return undefined;
    const abs = isAbsolute(f.origin.path) ? f.origin.path : resolve(this.cwd, f.origin.path);
    const rel = relative(gi.base, abs);
    const file = sep === '/' ? rel : rel.split(sep).join('/');
    // An entry names a gitleaks rule id, an imported one (`gitleaks.<id>`) or ours.
    const ids = [f.ruleId, ...(f.ruleId.startsWith('gitleaks.') ? [f.ruleId.slice('gitleaks.'.length)] : [])];
    for (const id of ids) {
      const key = `${file}:${id}:${f.start.line}`;
      let line = gi.entries.get(key);
      if (line !== undefined) return { line, entry: key };
      if (!f.origin.commit) continue;
      line = gi.entries.get(`${f.origin.commit}:${key}`) ?? this.shortCommit(gi, f.origin.commit, key);
      if (line !== undefined) return { line, entry: `${f.origin.commit}:${key}` };
    }
    return undefined;
  }

  private shortCommit(gi: GitleaksIgnore, commit: string, key: string): number | undefined {
    for (const [entry, line] of gi.entries) {
      const colon = entry.indexOf(':');
      if (colon >= 4 && entry.slice(colon + 1) === key && commit.startsWith(entry.slice(0, colon))) return line;
    }
    return undefined;
  }

  /** The rule ignoring a file (absolute path), if any. */
  pathIgnored(absPath: string): SuppressionReason | undefined {
    const m = this.settings.pathIgnore.match(absPath);
    return m ? { kind: 'path', file: m.source, pattern: m.pattern } : undefined;
  }

  reasonFor(f: Finding, options: { baseline?: boolean } = {}): SuppressionReason | undefined {
    if (!f.origin.path.startsWith('<')) {
      const byPath = this.pathIgnored(isAbsolute(f.origin.path) ? f.origin.path : resolve(this.cwd, f.origin.path));
      if (byPath) return byPath;
    }
    if (this.settings.inlineIgnores && f.inlineAllow) return { kind: 'inline', ...f.inlineAllow };
    const allowed = matchAllowList(this.settings.allow, f);
    if (allowed) {
      const file = this.settings.config.file ? displayPath(this.settings.config.file, this.cwd) : 'configuration';
      return { kind: 'allow', file, index: allowed.entry.index, by: allowed.by, ...(allowed.entry.entry.reason ? { reason: allowed.entry.entry.reason } : {}) };
    }
    const gl = this.settings.gitleaksConfig;
    if (gl && f.origin.commit && gl.commits.some((c) => f.origin.commit!.startsWith(c))) {
      return { kind: 'allow', file: displayPath(gl.file, this.cwd), index: 0, by: 'commit', reason: 'gitleaks [allowlist] commits' };
    }
    const ignoredAt = this.gitleaksIgnored(f);
    if (ignoredAt) return { kind: 'gitleaksignore', file: displayPath(this.settings.gitleaksIgnore!.file, this.cwd), ...ignoredAt };
    const baseline = this.settings.baseline;
    if (options.baseline !== false && baseline) {
      const entry = baseline.index.lookup(f);
      if (entry) return { kind: 'baseline', file: displayPath(baseline.file, this.cwd), fingerprint: entry.fingerprint, ...(entry.note ? { note: entry.note } : {}) };
    }
    return undefined;
  }

  /** Splits findings into reported and suppressed (with reasons); findings below the minimum
   * confidence or severity are dropped (`belowThreshold` counts them). */
  apply(findings: readonly Finding[], options: { baseline?: boolean } = {}): { findings: Finding[]; suppressed: SuppressedFinding[]; belowThreshold: number } {
    const kept: Finding[] = [];
    const suppressed: SuppressedFinding[] = [];
    let belowThreshold = 0;
    for (const f of findings) {
      if (!this.meetsThresholds(f)) {
        belowThreshold++;
        continue;
      }
      const reason = this.reasonFor(f, options);
      if (reason) suppressed.push({ finding: f, reason });
      else kept.push(f);
    }
    return { findings: kept, suppressed, belowThreshold };
  }
}
