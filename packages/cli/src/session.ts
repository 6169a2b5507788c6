import { resolve } from 'node:path';
import type { CompiledRules, RuleDefinition } from '@tokenward/engine';
import { loadRules, type LoadedConfig } from '@tokenward/project';
import { scanSource, type ChunkPoolOptions, type Source, type SourceResult, type SourceScanOptions } from '@tokenward/sources';
import type { Io } from './cli-util.js';
import { ScanSuppression, type SuppressionFlags } from './suppression.js';

export interface SessionFlags extends SuppressionFlags {
  /** `--rules PATH`: extra rule files or folders, after the configuration's. */
  rules?: readonly string[];
}

/**
 * What `scan`, `verify`, `revoke`, `baseline` and the git hooks share for one run, loaded once:
 * the configuration and everything that hides a finding (one ScanSuppression over the project's
 * Suppressor), and the rules to scan with (configuration's, `--rules`, then selected by
 * disabledRules, minimum severity and a .gitleaks.toml allowlist).
 */
export class ScanSession {
  private constructor(
    readonly io: Io,
    readonly suppression: ScanSuppression,
    readonly rules: { defs: RuleDefinition[]; compiled: CompiledRules },
  ) {}

  static open(io: Io, paths: readonly string[], flags: SessionFlags = {}): ScanSession {
    const suppression = ScanSuppression.start(paths, flags, io);
    const extra = [...suppression.ruleFiles, ...(flags.rules ?? []).map((r) => resolve(io.cwd, r))];
    const rules = suppression.selectRules(loadRules(extra, (m) => io.stderr.write(`tokenward: warning: ${m}\n`)));
    return new ScanSession(io, suppression, rules);
  }

  get config(): LoadedConfig {
    return this.suppression.settings.config;
  }

  get defs(): RuleDefinition[] {
    return this.rules.defs;
  }

  get compiled(): CompiledRules {
    return this.rules.compiled;
  }

  /** Scans a source with these rules in a pool of its own. */
  scan(source: Source, options: ChunkPoolOptions & SourceScanOptions = {}): Promise<SourceResult> {
    return scanSource(source, this.rules, options);
  }
}
