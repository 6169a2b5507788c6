/**
 * Everything the server knows about a workspace that the CLI would know too: rules, baseline and
 * inline ignores. Suppression and baseline I/O plug in here and nowhere else.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import {
  BaselineIndex,
  CONFIDENCE_ORDER,
  compileRules,
  inlineAllowForFinding,
  scanText,
  type BaselineEntry,
  type CompiledRules,
  type Finding,
  type RuleDefinition,
} from '@tokenward/engine';
import { defaultRulesDir, loadRuleDefinitions } from '@tokenward/project';
import { appendBaselineEntry, readBaselineEntries } from './baseline-store.js';
import type { ServerSettings } from './settings.js';

export interface AnalysisResult {
  findings: Finding[];
  /** Hidden by an inline comment or the baseline (counted, for status and tests). */
  suppressed: number;
}

export class ProjectContext {
  defs: RuleDefinition[] = [];
  compiled!: CompiledRules;
  private byId = new Map<string, RuleDefinition>();
  private baseline = new BaselineIndex([]);
  /** Problems loading rules or the baseline, shown to the user once. */
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
    const extra = settings.rules.map((r) => (isAbsolute(r) || !this.root ? r : resolve(this.root, r)));
    try {
      this.defs = loadRuleDefinitions([this.rulesDir, ...extra]);
    } catch (e) {
      // A bad extra rule file must not leave the editor without the built-in rules.
      this.problems.push((e as Error).message);
      this.defs = loadRuleDefinitions([this.rulesDir]);
    }
    this.compiled = compileRules(this.defs);
    this.byId = new Map(this.defs.map((d) => [d.id, d]));
    this.reloadBaseline();
  }

  reloadBaseline(): void {
    if (!this.root) return;
    try {
      this.baseline = new BaselineIndex(readBaselineEntries(this.root));
    } catch (e) {
      this.problems.push((e as Error).message);
      this.baseline = new BaselineIndex([]);
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

  /** Scan one buffer with the CLI's engine, then drop what inline comments, baseline or the
   * minimum confidence hide. */
  analyze(text: string, path: string): AnalysisResult {
    const all = scanText(this.compiled, text, { path, kind: 'buffer' });
    if (all.length === 0) return { findings: all, suppressed: 0 };
    const min = CONFIDENCE_ORDER[this.settings.minimumConfidence];
    const findings: Finding[] = [];
    let suppressed = 0;
    let bytes: Uint8Array | undefined;
    for (const f of all) {
      if (CONFIDENCE_ORDER[f.confidence] < min) continue;
      bytes ??= Buffer.from(text, 'utf8');
      if (inlineAllowForFinding(bytes, f) || this.baseline.lookup(f)) {
        suppressed++;
        continue;
      }
      findings.push(f);
    }
    return { findings, suppressed };
  }

  /** Accepts a finding in the workspace baseline (fingerprint only, never the secret). */
  addToBaseline(finding: Finding): string {
    if (!this.root) throw new Error('no workspace folder is open: the baseline lives in the workspace');
    const entry: BaselineEntry = { fingerprint: finding.fingerprint, ruleId: finding.ruleId, path: finding.origin.path };
    const file = appendBaselineEntry(this.root, entry);
    this.reloadBaseline();
    return file;
  }
}
