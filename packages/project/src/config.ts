import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
import { repositoryRoot } from './ignore-file.js';
import { ruleFilesIn } from './rules-loader.js';
import { configDigest, findUserConfig, isUserFile, trustState } from './trust.js';
import { keyPath, parseSettings, SettingsFileError, type LocatedData } from './yaml-data.js';

/** Names a configuration file may have, in the order they are looked for in each folder. */
export const CONFIG_FILE_NAMES = ['.tokenward.yaml', '.tokenward.yml', '.tokenward.json'] as const;

/** Verification answers from least to most live (`minVerified`, `--only-verified`). */
export type VerifiedLevel = 'inactive' | 'unknown' | 'active';
export const VERIFIED_ORDER: Record<VerifiedLevel, number> = { inactive: 0, unknown: 1, active: 2 };

const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const ruleIdList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

const allowObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    value: { type: 'string', minLength: 1, description: 'Exact secret value (use only for public example values).' },
    pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression tested against the secret.' },
    fingerprint: { type: 'string', pattern: '^(?:[0-9a-f]{40}|[0-9a-f]{32})$', description: 'Finding fingerprint (see --format json); a 32-character one from an earlier version still matches.' },
    rules: { ...ruleIdList, description: 'Only for these rule ids.' },
    reason: { type: 'string', description: 'Why it is accepted (shown by --show-suppressed).' },
  },
} as const;

const endpointsSchema = {
  type: 'object',
  additionalProperties: { type: 'string', pattern: '^https?://[^/?#]+(/[^?#]*)?$' },
  description: 'Provider name or rule id → https://host[:port][/path prefix] replacing the rule origin. Honoured only from your own configuration or a trusted project file.',
} as const;

/** JSON Schema of the user's own configuration (`~/.config/tokenward/config.yaml`): the settings
 * that decide where tokens may be sent. */
export const userConfigSchema = {
  $id: 'https://tokenward.dev/schema/user-config.json',
  title: 'Tokenward user configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    rules: { ...stringList, description: 'Extra rule files or folders (relative to this file), for every project.' },
    revoke: { type: 'object', additionalProperties: false, properties: { endpoints: endpointsSchema } },
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
    minVerified: { enum: ['inactive', 'unknown', 'active'], description: 'With verification on: report only findings at least this live.' },
    revoke: {
      type: 'object',
      additionalProperties: false,
      properties: {
        endpoints: endpointsSchema,
        auto: ruleIdList,
        never: ruleIdList,
        auditLog: { type: 'string', minLength: 1 },
      },
    },
  },
} as const;

/** An endpoint override a configuration file may set, with where it comes from. */
export interface ConfiguredEndpoint {
  key: string;
  origin: string;
  /** Shown in plans: `~/.config/tokenward/config.yaml`, `.tokenward.yaml (trusted)`. */
  source: string;
}

/** The configuration as written (paths still relative to the file's folder): derived from
 * `configSchema`, so the type and the validation cannot drift apart. Keys are described there. */
export type TokenwardConfig = FromSchema<typeof configSchema, { parseIfThenElseKeywords: true }>;

/** A configuration file read and checked. Paths in `resolved` are absolute. */
export interface LoadedConfig {
  /** The file, or undefined when none was found (all defaults). */
  file: string | undefined;
  /** Folder relative paths in the file are resolved against. */
  dir: string;
  /** The project file as written, minus what it may not decide (see `trust`). */
  config: TokenwardConfig;
  /** Allow entries with plain strings turned into `{ value }`. */
  allow: AllowEntry[];
  resolved: { rules: string[]; baseline: string | undefined; auditLog: string | undefined };
  /** The user's own configuration file applied (its rules and endpoints), if any. */
  userFile: string | undefined;
  /**
   * `trusted`: the project file may choose where tokens are sent (recorded by `tokenward trust`,
   * or the user's own file); `untrusted` / `changed`: its endpoints and its rule files' verify and
   * revoke steps are ignored; `none`: there is no project file.
   */
  trust: 'trusted' | 'untrusted' | 'changed' | 'none';
  /** Endpoint overrides from the user's file and a trusted project file (the project's win). */
  endpoints: ConfiguredEndpoint[];
  /** Rule files from an untrusted project file: loaded for detection, but never contact a host. */
  untrustedRuleFiles: string[];
  /** Reports what was ignored and why (default: stderr, each message once). */
  warn(message: string): void;
  /** The project file as a person names it from the working directory (for messages). */
  shownFile: string | undefined;
  /** Line of a key, for later errors (unknown rule ids). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

const shownWarnings = new Set<string>();
const stderrWarn = (m: string) => {
  if (shownWarnings.has(m)) return;
  shownWarnings.add(m);
  process.stderr.write(`tokenward: warning: ${m}\n`);
};

/** `~/.config/…` for paths under the home folder. */
function homeShort(file: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME;
  return home && file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
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
  /** `--config FILE`: use exactly this file (it must exist). It chooses the file, it does not make it trusted. */
  configFile?: string;
  /** `--no-config`: defaults only (neither the project's nor the user's file). */
  noConfig?: boolean;
  /** Environment for the user's configuration folder (XDG_CONFIG_HOME, HOME). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where warnings go (default: stderr). The editor collects them. */
  warn?: (message: string) => void;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read configuration ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Rule paths of a file, resolved against its folder; a missing one is an error at its line. */
function ruleDirs(located: LocatedData<{ rules?: string[] }>, dir: string): string[] {
  const rules = (located.data.rules ?? []).map((r) => resolve(dir, r));
  rules.forEach((r, i) => {
    if (!existsSync(r)) located.fail(['rules', i], `rule path not found: ${located.data.rules![i]}`);
  });
  return rules;
}

/** The user's own file: rules and endpoints for every project, always trusted. */
function loadUserConfig(env: NodeJS.ProcessEnv): { file: string; rules: string[]; endpoints: ConfiguredEndpoint[] } | undefined {
  const file = findUserConfig(env);
  if (!file) return undefined;
  const located = parseSettings<{ rules?: string[]; revoke?: { endpoints?: Record<string, string> } }>(readText(file), file, userConfigSchema);
  if (located.data === null || typeof located.data !== 'object' || Array.isArray(located.data)) located.fail([], 'must be a mapping of settings');
  const source = homeShort(file, env);
  const endpoints = Object.entries(located.data.revoke?.endpoints ?? {}).map(([key, origin]) => ({ key, origin, source }));
  return { file, rules: ruleDirs(located, dirname(file)), endpoints };
}

/** A project configuration file read, with what trusting it would cover (see trust.ts). */
export function readProjectConfig(file: string): { located: LocatedData<TokenwardConfig>; ruleDirs: string[]; ruleFiles: string[]; digest: string } {
  const text = readText(file);
  const located = parseConfig(text, file);
  const dirs = ruleDirs(located, dirname(file));
  const ruleFiles = dirs.flatMap((r) => ruleFilesIn(r));
  return { located, ruleDirs: dirs, ruleFiles, digest: configDigest(text, ruleFiles) };
}

/** Finds (or takes) the configuration file and reads it, with the user's own file; no file means defaults. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const env = options.env ?? process.env;
  const warn = options.warn ?? stderrWarn;
  const defaults = (user?: ReturnType<typeof loadUserConfig>): LoadedConfig => ({
    file: undefined,
    dir: options.cwd,
    config: {},
    allow: [],
    resolved: { rules: user?.rules ?? [], baseline: undefined, auditLog: undefined },
    userFile: user?.file,
    trust: 'none',
    endpoints: user?.endpoints ?? [],
    untrustedRuleFiles: [],
    warn,
    shownFile: undefined,
    lineOf: () => undefined,
  });
  if (options.noConfig) return defaults();
  let file: string | undefined;
  if (options.configFile !== undefined) {
    file = resolve(options.cwd, options.configFile);
    if (!existsSync(file)) throw new UsageError(`--config: file not found: ${options.configFile}`);
  } else {
    file = findConfigFile(options.scanRoot ?? options.cwd);
  }
  const user = loadUserConfig(env);
  if (file === undefined || (user && resolve(file) === resolve(user.file))) return defaults(user);
  const { located, ruleDirs: projectRules, ruleFiles, digest } = readProjectConfig(file);
  const cfg = located.data;
  const dir = dirname(file);
  const trust = isUserFile(file, env) ? 'trusted' : trustState(file, digest, env);
  const shown = displayName(file, options.cwd);
  let config = cfg;
  let endpoints = user?.endpoints ?? [];
  if (cfg.revoke?.endpoints && Object.keys(cfg.revoke.endpoints).length) {
    if (trust === 'trusted') {
      const mine = Object.entries(cfg.revoke.endpoints).map(([key, origin]) => ({ key, origin, source: `${shown} (trusted)` }));
      endpoints = [...endpoints.filter((e) => !mine.some((m) => m.key.toLowerCase() === e.key.toLowerCase())), ...mine];
    } else {
      const { endpoints: ignored, ...revoke } = cfg.revoke;
      config = { ...cfg, revoke };
      const line = located.lineOf(['revoke', 'endpoints']);
      warn(
        `${shown}${line ? `:${line}` : ''}: revoke.endpoints (${Object.keys(ignored).join(', ')}) ignored: a project's configuration cannot choose where tokens are sent ${
          trust === 'changed' ? 'and this file (or a rule file it names) changed since you trusted it' : 'unless you trust it'
        }; review it, then run "tokenward trust ${shown}"`,
      );
    }
  }
  const audit = projectAuditLog(file, cfg);
  let auditLog = audit?.path;
  if (audit && !audit.inside && trust !== 'trusted') {
    // Revocation appends to the audit log: a repository's own file may not aim it at ~/.bashrc.
    const { auditLog: ignored, ...revoke } = config.revoke ?? {};
    config = { ...config, revoke };
    auditLog = undefined;
    const line = located.lineOf(['revoke', 'auditLog']);
    warn(
      `${shown}${line ? `:${line}` : ''}: revoke.auditLog (${ignored}) ignored: a project's configuration can only keep the audit log inside its repository (${displayName(audit.repository, options.cwd)}) ${
        trust === 'changed' ? 'and this file (or a rule file it names) changed since you trusted it' : 'unless you trust it'
      }; the default .tokenward/audit.jsonl is used; review it, then run "tokenward trust ${shown}"`,
    );
  }
  return {
    file,
    dir,
    config,
    allow: (cfg.allow ?? []).map(toAllowEntry),
    resolved: {
      rules: [...(user?.rules ?? []), ...projectRules],
      baseline: cfg.baseline !== undefined ? resolve(dir, cfg.baseline) : undefined,
      auditLog,
    },
    userFile: user?.file,
    trust,
    endpoints,
    untrustedRuleFiles: trust === 'trusted' ? [] : ruleFiles.map((f) => resolve(f)),
    warn,
    shownFile: shown,
    lineOf: located.lineOf,
  };
}

/**
 * The audit log a project file names (`revoke.auditLog`), resolved against the file's folder, and
 * whether it stays inside the file's repository (the git work tree holding it, else its folder):
 * only a trusted file may put it anywhere else.
 */
export function projectAuditLog(file: string, cfg: TokenwardConfig): { path: string; repository: string; inside: boolean } | undefined {
  if (cfg.revoke?.auditLog === undefined) return undefined;
  const dir = dirname(resolve(file));
  const path = resolve(dir, cfg.revoke.auditLog);
  const repository = repositoryRoot(dir) ?? dir;
  return { path, repository, inside: isInside(path, repository) };
}

/** True when `child` is below `parent` (never `parent` itself), by path alone. */
function isBelow(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * True when `path` (absolute, normalized) is inside `root` both as written (no `..` out of it)
 * and on disk: its deepest existing part, with symbolic links followed, is still inside `root`'s
 * real path, so a committed link (`logs -> ~`) cannot lead out. A dangling link is refused.
 */
function isInside(path: string, root: string): boolean {
  if (!isBelow(path, root)) return false;
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      rest.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
  try {
    return isBelow(join(realpathSync(existing), ...rest), realpathSync(root));
  } catch {
    return false;
  }
}

/** A file as a person would name it from `cwd`. */
function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * Rule files of an untrusted project file still detect, but their verify and revoke steps are
 * dropped (with a warning naming the rules and hosts): a scanned repository cannot add a host
 * that found tokens are sent to.
 */
export function dropUntrustedNetworkSteps(loaded: LoadedConfig, defs: RuleDefinition[]): RuleDefinition[] {
  if (!loaded.untrustedRuleFiles.length) return defs;
  const untrusted = new Set(loaded.untrustedRuleFiles);
  const dropped: string[] = [];
  const out = defs.map((d) => {
    if (!(d.verify || d.revoke) || !d.source || !untrusted.has(resolve(d.source.file))) return d;
    const hosts = [...new Set([d.verify?.origin, d.revoke?.origin].filter((o): o is string => o !== undefined).map((o) => new URL(o).host))];
    dropped.push(`"${d.id}" (${hosts.join(', ')})`);
    const { verify: _v, revoke: _r, ...rest } = d;
    return rest;
  });
  if (dropped.length) {
    const shown = loaded.shownFile ?? 'the configuration';
    loaded.warn(
      `${shown}: verify/revoke steps of rules ${dropped.join(', ')} ignored: rule files named by a project's configuration cannot add hosts tokens are sent to ${
        loaded.trust === 'changed' ? '(the file or its rules changed since you trusted them)' : 'unless you trust it'
      }; review them, then run "tokenward trust ${shown}"`,
    );
  }
  return out;
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
  // First, so no error below can leave a caller with rules an untrusted file gave hosts to.
  // Network steps only change what is sent, never what is found: the compiled rules stay valid.
  const safe = dropUntrustedNetworkSteps(loaded, defs);
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
  const kept = safe.filter((d) => !disabled.has(d.id) && SEVERITY_ORDER[d.severity] >= minS);
  if (kept.length === defs.length) return { defs: kept, compiled };
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
#   - generic-secret-assignment

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
#   - fingerprint: 0123456789abcdef0123456789abcdef01234567
#     reason: test fixture, revoked on 2026-01-01

# Baseline of accepted findings (written by: tokenward baseline --output FILE).
# baseline: .tokenward-baseline.json

# Honour inline comments such as "tokenward:allow" and other scanners' directives.
# inlineIgnores: true

# Skip files larger than this (same as --max-file-size).
# maxFileSize: 10MB

# Only with verification on (scan --verify, the editor): hide findings below this answer.
# minVerified: unknown                      # active | unknown | inactive (default)

# Revocation (tokenward revoke).
# revoke:
#   endpoints:                              # self-hosted installs: provider or rule id -> origin;
#     GitHub: https://github.example.com    # used only once you run: tokenward trust
#   auto: []                                # rule ids revoked without asking
#   never: []                               # rule ids never revoked automatically
#   auditLog: .tokenward-audit.jsonl
`;
}
