/**
 * The server's RevocationPort on @tokenward/revoke: the same plan, HTTP client, endpoint overrides
 * and audit log as `tokenward revoke`, one finding at a time.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { Finding, RuleDefinition } from '@tokenward/engine';
import { createAuditLog, createVerifyCache, executePlan, parseEndpoints, planRevocation, verifySecret, type EndpointOverrides, type VerifyCache } from '@tokenward/revoke';
import type { RevocationContext, RevocationOutcome, RevocationPort, RevocationPreview, VerificationResult } from './revocation.js';

export const DEFAULT_AUDIT_LOG = '.tokenward/audit.jsonl';

function endpointsOf(ctx: RevocationContext): EndpointOverrides | undefined {
  const raw = ctx.settings.providerEndpoints;
  return Object.keys(raw).length ? parseEndpoints(raw) : undefined;
}

export function revokePackagePort(): RevocationPort {
  const cache: VerifyCache = createVerifyCache();
  const port: RevocationPort = {
    preview(rule: RuleDefinition, finding: Finding, ctx: RevocationContext): RevocationPreview {
      let endpoints: EndpointOverrides | undefined;
      try {
        endpoints = endpointsOf(ctx);
      } catch {
        endpoints = undefined;
      }
      const item = planRevocation([finding], [rule], endpoints ? { endpoints } : {}).items[0]!;
      const a = item.action;
      if (a.kind === 'api') {
        const calls = a.requests.map((r) => `${r.method} ${a.host}${r.path}`).join(', then ');
        return { api: true, summary: `call ${calls}`, ...(rule.rotate ? { manual: { steps: rule.rotate.steps, url: rule.rotate.url } } : {}) };
      }
      return { api: false, summary: a.reason, manual: { steps: a.steps, ...(a.url ? { url: a.url } : {}) } };
    },

    async revoke(rule: RuleDefinition, finding: Finding, ctx: RevocationContext): Promise<RevocationOutcome> {
      const endpoints = endpointsOf(ctx);
      const plan = planRevocation([finding], [rule], endpoints ? { endpoints } : {});
      const logPath = port.auditLogPath(ctx);
      const audit = logPath ? createAuditLog(logPath) : undefined;
      const [result] = await executePlan(plan, { ...(endpoints ? { endpoints } : {}), ...(audit ? { audit } : {}) });
      if (!result) return { ok: false, detail: 'nothing was done' };
      const auditLog = logPath ? { auditLog: logPath } : {};
      if (result.outcome === 'revoked') {
        const after = result.verifiedAfter ? `; check afterwards: ${result.verifiedAfter}` : '';
        return { ok: true, detail: `${result.host ?? 'provider'} answered HTTP ${result.status ?? '-'}${after}`, ...auditLog };
      }
      return { ok: false, detail: result.error ?? result.outcome, ...auditLog };
    },

    async verify(rule: RuleDefinition, finding: Finding, ctx: RevocationContext): Promise<VerificationResult> {
      const endpoints = endpointsOf(ctx);
      const r = await verifySecret(rule, finding.secret, { cache, fingerprint: finding.fingerprint, ...(endpoints ? { endpoints } : {}) });
      const { status, httpStatus, checkedAt, host, access } = r;
      return { status, ...(httpStatus !== undefined ? { httpStatus } : {}), ...(checkedAt ? { checkedAt } : {}), ...(host ? { host } : {}), ...(access ? { access } : {}) };
    },

    auditLogPath(ctx: RevocationContext): string | undefined {
      const configured = ctx.settings.auditLog;
      if (configured) return isAbsolute(configured) || !ctx.root ? configured : resolve(ctx.root, configured);
      return ctx.root ? join(ctx.root, DEFAULT_AUDIT_LOG) : undefined;
    },
  };
  return port;
}
