export * from './types.js';
export { crc32, base62, CHECKSUMS, registerChecksum, azureDevOpsBase32Decode, type ChecksumFn } from './checksums.js';
export { compilePair, findPartner, type CompiledPair, type PartnerMatch } from './pairing.js';
export { shannonEntropy } from './validators.js';
export { compilePrefilter, type Prefilter } from './prefilter.js';
export { compileRules, compileRule, RuleCompileError, type CompiledRule, type CompiledRules } from './compile.js';
export { scanBytes, scanText, validateSecret, utf16Length, type ChunkPlacement } from './scan.js';
export { StreamScanner, type StreamScannerOptions } from './stream.js';
export { scanKeyStore, mayBeKeyStore, KEY_STORE_DETECTORS, type KeyStoreDetector } from './key-stores.js';
export {
  applyContext,
  rejectGenericValue,
  rejectPlaceholder,
  nameMeansSecret,
  headerMeansSecret,
  splitWords,
  decodeBase64Text,
  decodeBasicAuth,
  decodeEscapes,
  decodePercent,
  type ValueKind,
} from './context/index.js';
export { redact, fingerprint, legacyFingerprint, isLegacyFingerprint, withLazyFingerprint, FINGERPRINT_COST, FINGERPRINT_LENGTH } from './redact.js';
export { parseRuleFile, rulePatterns, lineOf, describeAjvError, type PatternCheck, type ParseRuleFileOptions } from './rule-file.js';
export { ruleFileSchema, ruleSchema } from './rule-schema.js';
export {
  INLINE_DIRECTIVES,
  findInlineAllow,
  inlineAllowForFinding,
  compileAllowList,
  matchAllowList,
  AllowPatternError,
  BaselineIndex,
  describeSuppression,
  sarifSuppressionKind,
  meetsConfidence,
  type InlineDirective,
  type InlineAllow,
  type AllowEntry,
  type CompiledAllowEntry,
  type BaselineEntry,
  type SuppressionReason,
} from './suppress.js';
