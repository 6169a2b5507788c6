/**
 * Everything the server knows about a workspace that `tokenward scan` would know too: rules,
 * configuration (.tokenward.yaml: extra rules, disabled rules, allow-list, ignorePaths, baseline,
 * inline ignores), .tokenwardignore and the baseline. Editor settings only add to it.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { compileRules, scanText, type CompiledRules, type Finding, type RuleDefinition } from '@tokenward/engine';
import {
  baselineEntryFor,
  DEFAULT_BASELINE_FILE,
  defaultRulesDir,
  loadProjectSettings,
  loadRuleDefinitions,
  Suppressor,
  writeBaseline,
  dropUntrustedNetworkSteps,
  type LoadedConfig,
  type SuppressedFinding,
} from '@tokenward/project';
import type { ServerSettings } from './settings.js';

export { DEFAULT_BASELINE_FILE } from '@tokenward/project';

export interface AnalysisResult {
  findings: Finding[];
  /** Hidden by an inline comment, the allow-list, an ignore file or the baseline, and why (hover explains them). */
  suppressed: SuppressedFinding[];
}

/**
 * The workspace's suppression is the CLI's: one `Suppressor` from `@tokenward/project`, loaded
 * exactly as `tokenward scan` loads it from the workspace root (configuration, .tokenwardignore,
 * allow-list, the default or configured baseline, .gitleaksignore, .gitleaks.toml). The editor's
 * minimum-confidence setting, when set, overrides the configuration as `--min-confidence` does.
 */
export class ProjectContext {
  defs: RuleDefinition[] = [];
  compiled!: CompiledRules;
  config: LoadedConfig | undefined;
  private byId = new Map<string, RuleDefinition>();
  private suppressor!: Suppressor;
  /** Problems loading configuration, rules or the baseline: shown to the user, never fatal. */
  problems: string[] = [];

  constructor(
    readonly root: string | undefined,
    private settings: ServerSettings,
    private readonly rulesDir: string = defaultRulesDir(),
  ) {
    this.reload(settings);
  }

  /** The CLI's suppression for the workspace root; without a workspace only the engine's inline
   * directives and the editor's minimum confidence apply (no configuration, baseline or ignores). */
  private loadSuppressor(): Suppressor {
    const cwd = this.root ?? process.cwd();
    const noProject = this.root ? {} : { noConfig: true, noBaseline: true };
    const settings = loadProjectSettings({ cwd, paths: [cwd], minConfidence: this.settings.minimumConfidence, problems: this.problems, ...noProject });
    return new Suppressor(settings, cwd);
  }

  reload(settings: ServerSettings): void {
    this.settings = settings;
    this.problems = [];
    this.suppressor = this.loadSuppressor();
    // Kept without a project file too: the user's own configuration may set endpoints.
    this.config = this.suppressor.settings.config;
    const fromSettings = settings.rules.map((r) => (isAbsolute(r) || !this.root ? r : resolve(this.root, r)));
    const extra = [...this.suppressor.settings.ruleFiles, ...fromSettings];
    try {
      this.defs = loadRuleDefinitions([this.rulesDir, ...extra]);
    } catch (e) {
      // A bad extra rule file must not leave the editor without the built-in rules.
      this.problems.push((e as Error).message);
      this.defs = loadRuleDefinitions([this.rulesDir]);
    }
    this.compiled = compileRules(this.defs);
    try {
      ({ defs: this.defs, compiled: this.compiled } = this.suppressor.selectRules(this.defs, this.compiled));
    } catch (e) {
      this.problems.push((e as Error).message);
      // Whatever else failed, an untrusted project's rule files never contact a host.
      if (this.config) this.defs = dropUntrustedNetworkSteps(this.config, this.defs);
    }
    this.byId = new Map(this.defs.map((d) => [d.id, d]));
  }

  /** The baseline file: the configuration's, else `.tokenward-baseline.json` as `tokenward scan` finds it, else in the workspace. */
  baselineFile(): string | undefined {
    if (!this.root) return undefined;
    return this.suppressor.settings.baselineFile ?? join(this.root, DEFAULT_BASELINE_FILE);
  }

  reloadBaseline(): void {
    if (!this.root) return;
    const problems: string[] = [];
    const fresh = loadProjectSettings({ cwd: this.root, paths: [this.root], minConfidence: this.settings.minimumConfidence, problems });
    this.suppressor.settings.baseline = fresh.baseline;
    this.suppressor.settings.baselineFile = fresh.baselineFile;
    this.problems.push(...problems.filter((p) => !this.problems.includes(p)));
  }

  /** The rules in use, for the chunk pool of a workspace scan. */
  get rules(): { defs: RuleDefinition[]; compiled: CompiledRules } {
    return { defs: this.defs, compiled: this.compiled };
  }

  rule(id: string): RuleDefinition | undefined {
    return this.byId.get(id);
  }

  /** Path as the CLI reports it: relative to the workspace root when inside it. */
  displayPath(fsPath: string): string {
    if (!this.root) return fsPath;
    const rel = relative(this.root, fsPath);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : fsPath;
  }

  /** True when ignorePaths or .tokenwardignore exclude the file, as `tokenward scan` would. */
  isIgnoredPath(fsPath: string): boolean {
    return isAbsolute(fsPath) && this.suppressor.pathIgnored(fsPath) !== undefined;
  }

  /**
   * Scans one buffer with the CLI's engine; the Suppressor drops what the minimum confidence
   * hides and sets apart, with the reason, what inline comments (found by the engine), the
   * allow-list, ignore files or the baseline hide.
   */
  analyze(text: string, path: string): AnalysisResult {
    const all = scanText(this.compiled, text, { path, kind: 'buffer' });
    if (all.length === 0) return { findings: all, suppressed: [] };
    const { findings, suppressed } = this.suppressor.apply(all);
    return { findings, suppressed };
  }

  /** What of a workspace scan's findings the user sees (the same Suppressor as `analyze`). */
  suppress(findings: readonly Finding[]): Finding[] {
    return this.suppressor.apply(findings).findings;
  }

  /** Accepts a finding in the baseline (fingerprint only, never the secret); returns the file. */
  addToBaseline(finding: Finding): string {
    const file = this.baselineFile();
    if (!file || !this.root) throw new Error('no workspace folder is open: the baseline lives in the workspace');
    const entry = baselineEntryFor(finding, { cwd: this.root, baselineFile: file });
    const existing = this.suppressor.settings.baselineFile === file ? (this.suppressor.settings.baseline?.entries ?? []) : [];
    writeBaseline(file, [...existing, entry]);
    this.reloadBaseline();
    return file;
  }
}
