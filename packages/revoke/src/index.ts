export { HttpClient, HttpError, retryAfterMs, type HttpClientOptions, type HttpRequest, type HttpResponse } from './http.js';
export { parseEndpoints, providerKey, effectiveBase, EndpointError, type EndpointOverrides } from './endpoints.js';
export { renderTemplate, templateNames, TemplateError } from './template.js';
export { runSteps, checkSteps, SpecError, StepFailure, getPath } from './steps.js';
export {
  planRevocation,
  renderPlan,
  checkRuleSpecs,
  manualAction,
  type RevocationPlan,
  type PlanItem,
  type PlanOptions,
  type ApiRevocation,
  type ManualRevocation,
} from './plan.js';
export { executePlan, auditPlan, auditEntry, renderResults, type ExecuteOptions, type RevocationResult, type RevocationOutcome } from './execute.js';
export {
  verifySecret,
  verifyFindings,
  createVerifyCache,
  verifyHttpClient,
  type VerifyStatus,
  type VerifyResult,
  type VerifyCache,
  type VerifyOptions,
  type VerifiedSecret,
} from './verify.js';
export { createAuditLog, AuditLeakError, type AuditLog, type AuditEntry, type AuditOutcome } from './audit.js';
export { scrub } from './scrub.js';
