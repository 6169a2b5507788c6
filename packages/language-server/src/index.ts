export { createTokenwardServer, COMMANDS, REQUESTS, SERVER_NAME, type ServerOptions, type DiagnosticData, type DocumentStats, type FindingState } from './server.js';
export { startStdioServer, type StdioServerOptions } from './stdio.js';
export { DEFAULT_SETTINGS, mergeSettings, type ServerSettings } from './settings.js';
export { ProjectContext, type AnalysisResult } from './project-context.js';
export { envVarEdits, suggestEnvName, supportsEnvReplacement, type LineEdit } from './env-replace.js';
export { allowComment, commentSyntaxFor, languageOf } from './comments.js';
export { manualSteps, type RevocationPort, type RevocationPreview, type RevocationOutcome, type RevocationContext, type VerificationResult, type VerificationStatus } from './revocation.js';
export { revokePackagePort, DEFAULT_AUDIT_LOG } from './revoke-adapter.js';
