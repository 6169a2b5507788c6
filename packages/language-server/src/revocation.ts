/**
 * The server's view of verification and revocation. @tokenward/revoke does the work; this port is
 * the one place the server touches it, so tests and other hosts can supply their own.
 */
import type { Finding, RuleDefinition } from '@tokenward/engine';
import type { ServerSettings } from './settings.js';

export type VerificationStatus = 'active' | 'inactive' | 'unknown';

/** The provider's answer: status, when and where, and for a live token what it reaches. */
export interface VerificationResult {
  status: VerificationStatus;
  httpStatus?: number;
  checkedAt?: string;
  host?: string;
  /** `account octocat; scopes repo; can write to 14 repositories of acme` and its parts. */
  access?: { summary: string; facts: { label: string; text: string }[] };
}

export interface RevocationPreview {
  /** True when the provider has an API Tokenward can call. */
  api: boolean;
  /** What will be called, shown in the confirmation (never the secret). */
  summary: string;
  /** Manual steps for providers without an API (or as a fallback). */
  manual?: { steps: string; url?: string };
}

export interface RevocationOutcome {
  ok: boolean;
  /** One line for the user: the provider's answer or the error. */
  detail: string;
  /** The audit log written, when one was. */
  auditLog?: string;
}

export interface RevocationContext {
  settings: ServerSettings;
  /** Workspace root (audit log default location). */
  root: string | undefined;
}

export interface RevocationPort {
  preview(rule: RuleDefinition, finding: Finding, ctx: RevocationContext): RevocationPreview;
  revoke(rule: RuleDefinition, finding: Finding, ctx: RevocationContext): Promise<RevocationOutcome>;
  verify?(rule: RuleDefinition, finding: Finding, ctx: RevocationContext): Promise<VerificationResult>;
  auditLogPath(ctx: RevocationContext): string | undefined;
}

/** Manual steps from the rule's `rotate` (and `revoke.manual` when a rule spells them out). */
export function manualSteps(rule: RuleDefinition): { steps: string; url?: string } | undefined {
  const rev = rule.revoke as { manual?: { steps?: string; url?: string } } | undefined;
  if (rev?.manual?.steps) return { steps: rev.manual.steps, ...(rev.manual.url ? { url: rev.manual.url } : {}) };
  if (rule.rotate) return { steps: rule.rotate.steps, url: rule.rotate.url };
  return undefined;
}
