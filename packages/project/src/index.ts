export { UsageError } from './errors.js';
export { loadRules, loadRuleDefinitions, defaultRulesDir, ruleFilesIn } from './rules-loader.js';
