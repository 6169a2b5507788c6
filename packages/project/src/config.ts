import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  AllowPatternError,
  compileAllowList,
  compileRules,
  SEVERITY_ORDER,
  type AllowEntry,
  type CompiledRules,
  type RuleDefinition,
} from '@tokenward/engine';
import type { FromSchema } from 'json-schema-to-ts';
import { UsageError } from './errors.js';
import { keyPath, parseSettings, SettingsFileError, type LocatedData } from './yaml-data.js';

/** Names a configuration file may have, in the order they are looked for in each folder. */
export const CONFIG_FILE_NAMES = ['.tokenward.yaml', '.tokenward.yml', '.tokenward.json'] as const;

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const ruleIdList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const allowObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    value: { type: 'string', minLength: 1, description: 'Exact secret value (use only for public example values).' },
    pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression tested against the secret.' },
    fingerprint: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Finding fingerprint (see --format json).' },
    rules: { ...ruleIdList, description: 'Only for these rule ids.' },
    reason: { type: 'string', description: 'Why it is accepted (shown by --show-suppressed).' },
  },
} as const;

/** JSON Schema of `.tokenward.yaml` / `.tokenward.json` (also usable by editors via `$schema`). */
export const configSchema = {
  $id: 'https://tokenward.dev/schema/config.json',
  title: 'Tokenward configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    rules: { ...stringList, description: 'Extra rule files or folders, relative to this file.' },
    disabledRules: { ...ruleIdList, description: 'Rule ids that are not run.' },
    ignorePaths: { ...stringList, description: 'gitignore-syntax patterns of paths not scanned, relative to this file.' },
    allow: {
      type: 'array',
      description: 'Accepted secrets. A plain string is an exact value.',
      items: { if: { type: 'string' }, then: { type: 'string', minLength: 1 }, else: allowObject },
    },
    minConfidence: { enum: ['low', 'medium', 'high'] },
    minSeverity: { enum: ['low', 'medium', 'high', 'critical'] },
    baseline: { type: 'string', minLength: 1 },
    inlineIgnores: { type: 'boolean' },
    maxFileSize: { type: ['string', 'integer'], pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgG][iI]?[bB]?|[bB])?$', minimum: 0 },
    revoke: {
      type: 'object',
      additionalProperties: false,
      properties: {
        endpoints: {
          type: 'object',
          additionalProperties: { type: 'string', pattern: '^https?://[^/?#]+$' },
          description: 'Provider name or rule id → https://host[:port] replacing the rule origin.',
        },
        auto: ruleIdList,
        never: ruleIdList,
        auditLog: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;

/** The configuration as written (paths still relative to the file's folder): derived from
 * `configSchema`, so the type and the validation cannot drift apart. Keys are described there. */
export type TokenwardConfig = FromSchema<typeof configSchema, { parseIfThenElseKeywords: true }>;

/** A configuration file read and checked. Paths in `resolved` are absolute. */
export interface LoadedConfig {
  /** The file, or undefined when none was found (all defaults). */
  file: string | undefined;
  /** Folder relative paths in the file are resolved against. */
  dir: string;
  config: TokenwardConfig;
  /** Allow entries with plain strings turned into `{ value }`. */
  allow: AllowEntry[];
  resolved: { rules: string[]; baseline: string | undefined; auditLog: string | undefined };
  /** Line of a key, for later errors (unknown rule ids). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** The first configuration file in `startDir` or a folder above it. Two names in one folder is an error. */
export function findConfigFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    const present = CONFIG_FILE_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
    if (present.length > 1) throw new UsageError(`two configuration files in ${dir}: ${present.map((p) => p.slice(dir.length + 1)).join(' and ')} (keep one)`);
    if (present.length === 1) return present[0];
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Parses and validates configuration text. Pure apart from nothing: the caller reads the file. */
export function parseConfig(text: string, file: string): LocatedData<TokenwardConfig> {
  const located = parseSettings<TokenwardConfig>(text, file, configSchema);
  const cfg = located.data;
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) located.fail([], 'must be a mapping of settings');
  (cfg.allow ?? []).forEach((a, i) => {
    if (typeof a === 'object' && a.value === undefined && a.pattern === undefined && a.fingerprint === undefined) {
      located.fail(['allow', i], 'needs one of value, pattern or fingerprint');
    }
  });
  try {
    compileAllowList((cfg.allow ?? []).map(toAllowEntry));
  } catch (e) {
    if (e instanceof AllowPatternError) located.fail(['allow', e.index, 'pattern'], `is not a valid regular expression: ${e.message.replace(/^.*?: /, '')}`);
    throw e;
  }
  return located;
}

const toAllowEntry = (a: string | AllowEntry): AllowEntry => (typeof a === 'string' ? { value: a } : a);

/** The scan root a configuration is searched from: the first path's folder, else the working directory. */
export function scanRootOf(paths: readonly string[], cwd: string): string {
  const first = paths.find((p) => p !== '-');
  if (first === undefined) return cwd;
  const abs = isAbsolute(first) ? first : resolve(cwd, first);
  try {
    return statSync(abs).isDirectory() ? abs : dirname(abs);
  } catch {
    return cwd;
  }
}

export interface LoadConfigOptions {
  cwd: string;
  /** Where to start looking upwards (see scanRootOf). Default: cwd. */
  scanRoot?: string;
  /** `--config FILE`: use exactly this file (it must exist). */
  configFile?: string;
  /** `--no-config`: defaults only. */
  noConfig?: boolean;
}

/** Finds (or takes) the configuration file and reads it; no file means defaults. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  let file: string | undefined;
  if (options.configFile !== undefined) {
    file = resolve(options.cwd, options.configFile);
    if (!existsSync(file)) throw new UsageError(`--config: file not found: ${options.configFile}`);
  } else if (!options.noConfig) {
    file = findConfigFile(options.scanRoot ?? options.cwd);
  }
  if (file === undefined) {
    return { file: undefined, dir: options.cwd, config: {}, allow: [], resolved: { rules: [], baseline: undefined, auditLog: undefined }, lineOf: () => undefined };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read configuration ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const located = parseConfig(text, file);
  const cfg = located.data;
  const dir = dirname(file);
  const rules = (cfg.rules ?? []).map((r) => resolve(dir, r));
  rules.forEach((r, i) => {
    if (!existsSync(r)) located.fail(['rules', i], `rule path not found: ${cfg.rules![i]}`);
  });
  return {
    file,
    dir,
    config: cfg,
    allow: (cfg.allow ?? []).map(toAllowEntry),
    resolved: {
      rules,
      baseline: cfg.baseline !== undefined ? resolve(dir, cfg.baseline) : undefined,
      auditLog: cfg.revoke?.auditLog !== undefined ? resolve(dir, cfg.revoke.auditLog) : undefined,
    },
    lineOf: located.lineOf,
  };
}


/**
 * Applies `disabledRules`, `minConfidence` and `minSeverity` to loaded rules, and checks that every
 * rule id the configuration names exists (a typo would otherwise silently disable nothing).
 * Returns the compiled rules unchanged when nothing was removed.
 */
export function selectRules(
  loaded: LoadedConfig,
  defs: RuleDefinition[],
  compiled: CompiledRules,
): { defs: RuleDefinition[]; compiled: CompiledRules } {
  const cfg = loaded.config;
  const known = new Set(defs.map((d) => d.id));
  const checkIds = (ids: readonly string[] | undefined, path: (string | number)[]) => {
    (ids ?? []).forEach((id, i) => {
      if (!known.has(id)) throw new SettingsFileError(loaded.file ?? 'configuration', `unknown rule id "${id}"`, loaded.lineOf([...path, i]), keyPath([...path, i]));
    });
  };
  checkIds(cfg.disabledRules, ['disabledRules']);
  checkIds(cfg.revoke?.auto, ['revoke', 'auto']);
  checkIds(cfg.revoke?.never, ['revoke', 'never']);
  loaded.allow.forEach((a, i) => checkIds(a.rules, ['allow', i, 'rules']));
  const disabled = new Set(cfg.disabledRules ?? []);
  // minConfidence is not applied here: it filters findings after the scan (see `meetsConfidence`),
  // because a generic rule's match can decode into a provider token of higher confidence.
  const minS = cfg.minSeverity ? SEVERITY_ORDER[cfg.minSeverity] : 0;
  const kept = defs.filter((d) => !disabled.has(d.id) && SEVERITY_ORDER[d.severity] >= minS);
  if (kept.length === defs.length) return { defs, compiled };
  return { defs: kept, compiled: compileRules(kept) };
}

/** The commented starter configuration `tokenward init` writes. */
export function starterConfig(): string {
  return `# Tokenward configuration. Paths are relative to this file's folder.
# Reference: README.md, section "Configuration". Validate with: tokenward scan --config .tokenward.yaml

# Extra rule files or folders, added to the built-in rules.
# rules:
#   - tools/tokenward-rules/

# Rule ids that are not run at all (ids are shown in every report).
# disabledRules:
#   - generic-api-key

# Only run rules of at least this confidence (low | medium | high) and severity
# (low | medium | high | critical). Default: everything.
# minConfidence: medium
# minSeverity: low

# Paths that are neither scanned nor reported, in .gitignore syntax.
# A .tokenwardignore file (gitignore syntax) works too.
ignorePaths:
  - node_modules/
  # - test/**/fixtures/**

# Accepted secrets. Prefer a fingerprint (from --format json) over the value itself.
# allow:
#   - value: example-key-from-the-docs     # an exact value (only for public example values)
#     reason: example in the provider's documentation
#   - pattern: '^ghp_0{36}$'                # a regular expression tested against the secret
#     rules: [github-pat-classic]
#   - fingerprint: 0123456789abcdef0123456789abcdef
#     reason: test fixture, revoked on 2026-01-01

# Baseline of accepted findings (written by: tokenward baseline --output FILE).
# baseline: .tokenward-baseline.json

# Honour inline comments such as "tokenward:allow" and other scanners' directives.
# inlineIgnores: true

# Skip files larger than this (same as --max-file-size).
# maxFileSize: 10MB

# Revocation (tokenward revoke).
# revoke:
#   endpoints:                              # self-hosted installs: provider or rule id -> origin
#     GitHub: https://github.example.com
#   auto: []                                # rule ids revoked without asking
#   never: []                               # rule ids never revoked automatically
#   auditLog: .tokenward-audit.jsonl
`;
}
