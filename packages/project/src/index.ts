export { UsageError } from './errors.js';
export { STATE_DIR, markStateDir, writtenReports, rememberReport, isOwnState } from './state.js';
export { loadRules, loadRuleDefinitions, defaultRulesDir, ruleFilesIn } from './rules-loader.js';
export { checkRulePatterns } from './pattern-safety.js';
export { importGitleaksToml, gitleaksGlobalAllow, translateGoRegex, GitleaksImportError, type GitleaksImport } from './gitleaks-import.js';
export { ruleSummary, ruleSummaries, type RuleSummary } from './rule-catalogue.js';
export {
  CONFIG_FILE_NAMES,
  configSchema,
  findConfigFile,
  parseConfig,
  loadConfig,
  scanRootOf,
  selectRules,
  starterConfig,
  dropUntrustedNetworkSteps,
  readProjectConfig,
  projectAuditLog,
  userConfigSchema,
  VERIFIED_ORDER,
  type TokenwardConfig,
  type LoadedConfig,
  type LoadConfigOptions,
  type ConfiguredEndpoint,
  type VerifiedLevel,
} from './config.js';
export {
  userConfigDir,
  findUserConfig,
  configDigest,
  trustState,
  recordTrust,
  removeTrust,
  listTrust,
  USER_CONFIG_NAMES,
  type TrustRecord,
} from './trust.js';
export { SettingsFileError, parseSettings, keyPath, type LocatedData } from './yaml-data.js';
export {
  baselineSchema,
  readBaseline,
  writeBaseline,
  formatBaseline,
  normalizeEntries,
  baselineEntryFor,
  baselineEntryPath,
  updateBaselineEntries,
  type BaselineDocument,
  type LoadedBaseline,
  type BaselineEntryOptions,
  type BaselineUpdate,
} from './baseline.js';
export { PathIgnore, findIgnoreFile, findUpwards, repositoryRoot, IGNORE_FILE_NAME, type PathIgnoreMatch } from './ignore-file.js';
export {
  loadProjectSettings,
  Suppressor,
  displayPath,
  DEFAULT_BASELINE_FILE,
  GITLEAKS_CONFIG_FILE,
  GITLEAKS_IGNORE_FILE,
  type GitleaksIgnore,
  type ProjectSettings,
  type ProjectSettingsOptions,
  type SuppressedFinding,
} from './suppression.js';
