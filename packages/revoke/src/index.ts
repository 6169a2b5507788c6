export { HttpClient, HttpError, retryAfterMs, type HttpClientOptions, type HttpRequest, type HttpResponse } from './http.js';
export {
  parseEndpoints,
  checkEndpointKeys,
  providerKey,
  effectiveBase,
  describeOverride,
  isLoopback,
  EndpointError,
  type EndpointOverride,
  type EndpointOverrides,
  type ParseEndpointOptions,
} from './endpoints.js';
export { renderTemplate, templateNames, TemplateError } from './template.js';
export { runSteps, checkSteps, SpecError, StepFailure, getPath } from './steps.js';
export {
  planRevocation,
  renderPlan,
  checkRuleSpecs,
  manualAction,
  findingPlace,
  describeCheck,
  checkDetails,
  type RevocationPlan,
  type PlanItem,
  type PlanOptions,
  type ApiRevocation,
  type ManualRevocation,
} from './plan.js';
export {
  executePlan,
  auditPlan,
  auditEntry,
  renderResults,
  isFailure,
  type ExecuteOptions,
  type RevocationResult,
  type RevocationOutcome,
} from './execute.js';
export {
  verifySecret,
  verifyFindings,
  verifyTarget,
  verifyHosts,
  groupBySecret,
  verifyCacheKey,
  createVerifyCache,
  verifyHttpClient,
  VERIFY_CACHE_TTL_MS,
  type VerifyStatus,
  type VerifyResult,
  type VerifyCache,
  type VerifyOptions,
  type VerifiedSecret,
} from './verify.js';
export { readAccess, checkAccess, nextLink, type AccessMap, type AccessFact } from './access.js';
export { createAuditLog, AuditLeakError, AuditWriteError, type AuditLog, type AuditEntry, type AuditOutcome } from './audit.js';
export { scrub } from './scrub.js';
