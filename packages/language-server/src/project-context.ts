/**
 * Everything the server knows about a workspace that `tokenward scan` would know too: rules,
 * configuration (.tokenward.yaml: extra rules, disabled rules, allow-list, ignorePaths, baseline,
 * inline ignores), .tokenwardignore and the baseline. Editor settings only add to it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  BaselineIndex,
  CONFIDENCE_ORDER,
  compileAllowList,
  compileRules,
  inlineAllowForFinding,
  matchAllowList,
  scanText,
  type BaselineEntry,
  type CompiledAllowEntry,
  type CompiledRules,
  type Finding,
  type RuleDefinition,
} from '@tokenward/engine';
import {
  PathIgnore,
  baselineEntryFor,
  defaultRulesDir,
  findIgnoreFile,
  loadConfig,
  loadRuleDefinitions,
  readBaseline,
  selectRules,
  writeBaseline,
  type LoadedConfig,
} from '@tokenward/project';
import type { ServerSettings } from './settings.js';

/** Where "Add to baseline" writes when the configuration names no baseline. */
export const DEFAULT_BASELINE_FILE = '.tokenward-baseline.json';

export interface AnalysisResult {
  findings: Finding[];
  /** Hidden by an inline comment, the allow-list or the baseline (counted, for status and tests). */
  suppressed: number;
}

export class ProjectContext {
  defs: RuleDefinition[] = [];
  compiled!: CompiledRules;
  config: LoadedConfig | undefined;
  private byId = new Map<string, RuleDefinition>();
  private baseline = new BaselineIndex([]);
  private baselineEntries: BaselineEntry[] = [];
  private allow: CompiledAllowEntry[] = [];
  private pathIgnore = new PathIgnore();
  /** Problems loading configuration, rules or the baseline: shown to the user, never fatal. */
  problems: string[] = [];

  constructor(
    readonly root: string | undefined,
    private settings: ServerSettings,
    private readonly rulesDir: string = defaultRulesDir(),
  ) {
    this.reload(settings);
  }

  reload(settings: ServerSettings): void {
    this.settings = settings;
    this.problems = [];
    this.config = undefined;
    if (this.root) {
      try {
        this.config = loadConfig({ cwd: this.root, scanRoot: this.root });
      } catch (e) {
        this.problems.push((e as Error).message);
      }
    }
    const fromSettings = settings.rules.map((r) => (isAbsolute(r) || !this.root ? r : resolve(this.root, r)));
    const extra = [...(this.config?.resolved.rules ?? []), ...fromSettings];
    try {
      this.defs = loadRuleDefinitions([this.rulesDir, ...extra]);
    } catch (e) {
      // A bad extra rule file must not leave the editor without the built-in rules.
      this.problems.push((e as Error).message);
      this.defs = loadRuleDefinitions([this.rulesDir]);
    }
    this.compiled = compileRules(this.defs);
    if (this.config) {
      try {
        ({ defs: this.defs, compiled: this.compiled } = selectRules(this.config, this.defs, this.compiled));
      } catch (e) {
        this.problems.push((e as Error).message);
      }
      try {
        this.allow = compileAllowList(this.config.allow);
      } catch (e) {
        this.problems.push((e as Error).message);
        this.allow = [];
      }
    }
    this.byId = new Map(this.defs.map((d) => [d.id, d]));
    this.pathIgnore = new PathIgnore();
    if (this.config?.config.ignorePaths && this.config.file) {
      const file = this.config.file;
      this.pathIgnore.add(this.config.config.ignorePaths, this.config.dir, file, (i) => `${file.split(sep).pop()} ignorePaths[${i}]`);
    }
    if (this.root) {
      try {
        const ignoreFile = findIgnoreFile(this.root);
        if (ignoreFile) this.pathIgnore.addFile(ignoreFile);
      } catch (e) {
        this.problems.push((e as Error).message);
      }
    }
    this.reloadBaseline();
  }

  /** The baseline file: the configuration's, else `.tokenward-baseline.json` in the workspace. */
  baselineFile(): string | undefined {
    return this.config?.resolved.baseline ?? (this.root ? join(this.root, DEFAULT_BASELINE_FILE) : undefined);
  }

  reloadBaseline(): void {
    const file = this.baselineFile();
    this.baseline = new BaselineIndex([]);
    this.baselineEntries = [];
    if (!file || !existsSync(file)) return;
    try {
      const loaded = readBaseline(file);
      this.baseline = loaded.index;
      this.baselineEntries = loaded.entries;
    } catch (e) {
      this.problems.push((e as Error).message);
    }
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
    return isAbsolute(fsPath) && this.pathIgnore.match(fsPath) !== undefined;
  }

  /**
   * Scans one buffer with the CLI's engine, then drops what the minimum confidence, inline comments,
   * the allow-list or the baseline hide.
   */
  analyze(text: string, path: string): AnalysisResult {
    const all = scanText(this.compiled, text, { path, kind: 'buffer' });
    if (all.length === 0) return { findings: all, suppressed: 0 };
    // The stricter of the editor setting and the project's configured minConfidence.
    const configured = this.config?.config.minConfidence;
    const min = Math.max(CONFIDENCE_ORDER[this.settings.minimumConfidence], configured ? CONFIDENCE_ORDER[configured] : 0);
    const inline = this.config?.config.inlineIgnores !== false;
    const findings: Finding[] = [];
    let suppressed = 0;
    let bytes: Uint8Array | undefined;
    for (const f of all) {
      if (CONFIDENCE_ORDER[f.confidence] < min) continue;
      bytes ??= Buffer.from(text, 'utf8');
      if ((inline && inlineAllowForFinding(bytes, f)) || matchAllowList(this.allow, f) || this.baseline.lookup(f)) {
        suppressed++;
        continue;
      }
      findings.push(f);
    }
    return { findings, suppressed };
  }

  /** Accepts a finding in the baseline (fingerprint only, never the secret); returns the file. */
  addToBaseline(finding: Finding): string {
    const file = this.baselineFile();
    if (!file || !this.root) throw new Error('no workspace folder is open: the baseline lives in the workspace');
    const entry = baselineEntryFor(finding, { cwd: this.root, baselineFile: file });
    writeBaseline(file, [...this.baselineEntries, entry]);
    this.reloadBaseline();
    return file;
  }
}
