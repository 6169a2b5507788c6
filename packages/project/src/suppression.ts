import { isAbsolute, relative, resolve, sep } from 'node:path';
import { compileAllowList, matchAllowList, type CompiledAllowEntry, type Finding, type SuppressionReason } from '@tokenward/engine';
import { readBaseline, type LoadedBaseline } from './baseline.js';
import { loadConfig, scanRootOf, type LoadedConfig } from './config.js';
import { UsageError } from './errors.js';
import { findIgnoreFile, PathIgnore } from './ignore-file.js';

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
}

export function loadProjectSettings(o: ProjectSettingsOptions): ProjectSettings {
  const scanRoot = scanRootOf(o.paths, o.cwd);
  const config = loadConfig({ cwd: o.cwd, scanRoot, configFile: o.configFile, noConfig: o.noConfig });
  const pathIgnore = new PathIgnore();
  if (config.file && config.config.ignorePaths) {
    const shown = displayPath(config.file, o.cwd);
    pathIgnore.add(config.config.ignorePaths, config.dir, config.file, (i) => `${shown} ignorePaths[${i}]`);
  }
  const ignoreFile = o.noConfig ? undefined : findIgnoreFile(scanRoot);
  if (ignoreFile) pathIgnore.addFile(ignoreFile);
  const baselineFile = o.noBaseline ? undefined : o.baselineFile !== undefined ? resolve(o.cwd, o.baselineFile) : config.resolved.baseline;
  let baseline: LoadedBaseline | undefined;
  if (baselineFile) {
    try {
      baseline = readBaseline(baselineFile);
    } catch (e) {
      // A baseline about to be written for the first time need not exist yet.
      if (!(o.writingBaseline && e instanceof UsageError && e.message.startsWith('baseline not found'))) throw e;
    }
  }
  return {
    config,
    pathIgnore,
    allow: compileAllowList(config.allow),
    inlineIgnores: config.config.inlineIgnores ?? true,
    baselineFile,
    baseline,
  };
}

export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

/**
 * Decides, for each finding from any source (files, stdin, git history, staged changes), whether
 * the user hid it and why. Precedence: path ignore, inline comment, config allow, baseline.
 */
export class Suppressor {
  constructor(
    readonly settings: ProjectSettings,
    private readonly cwd: string,
  ) {}

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
    const baseline = this.settings.baseline;
    if (options.baseline !== false && baseline) {
      const entry = baseline.index.lookup(f);
      if (entry) return { kind: 'baseline', file: displayPath(baseline.file, this.cwd), fingerprint: entry.fingerprint, ...(entry.note ? { note: entry.note } : {}) };
    }
    return undefined;
  }

  /** Splits findings into reported and suppressed (with reasons). */
  apply(findings: readonly Finding[], options: { baseline?: boolean } = {}): { findings: Finding[]; suppressed: SuppressedFinding[] } {
    const kept: Finding[] = [];
    const suppressed: SuppressedFinding[] = [];
    for (const f of findings) {
      const reason = this.reasonFor(f, options);
      if (reason) suppressed.push({ finding: f, reason });
      else kept.push(f);
    }
    return { findings: kept, suppressed };
  }
}
