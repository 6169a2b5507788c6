/**
 * The server's side of verification and revocation: effective settings (editor first, then the
 * project's configuration, as `tokenward revoke` reads it), previews, and the store updated with
 * what providers answered. The work itself is the RevocationPort's (@tokenward/revoke).
 */
import type { Finding, RuleDefinition } from '@tokenward/engine';
import type { FindingStore } from './finding-store.js';
import type { ProjectContext } from './project-context.js';
import type { RevocationContext, RevocationOutcome, RevocationPort, RevocationPreview } from './revocation.js';
import type { ServerSettings } from './settings.js';

export class RevocationBridge {
  constructor(
    private readonly port: RevocationPort,
    private readonly store: FindingStore,
    private readonly current: () => { settings: ServerSettings; root: string | undefined; project: ProjectContext | undefined },
    private readonly warn: (message: string) => void,
  ) {}

  /** Editor settings first, then the project's configuration (as `tokenward revoke` reads it). */
  context(): RevocationContext {
    const { settings, root, project } = this.current();
    const cfg = project?.config;
    return {
      settings: {
        ...settings,
        auditLog: settings.auditLog || cfg?.resolved.auditLog || '',
        // The user's own and a trusted project configuration's endpoints (an untrusted project's are never here).
        providerEndpoints: { ...Object.fromEntries((cfg?.endpoints ?? []).map((e) => [e.key, e.origin])), ...settings.providerEndpoints },
      },
      root,
    };
  }

  preview(rule: RuleDefinition, finding: Finding): RevocationPreview {
    return this.port.preview(rule, finding, this.context());
  }

  auditLogPath(): string | undefined {
    return this.port.auditLogPath(this.context());
  }

  get canVerify(): boolean {
    return this.port.verify !== undefined;
  }

  /** Asks providers (read-only) about each secret not asked about yet; true when an answer
   * changed what the user should see. */
  async verify(findings: readonly Finding[], ruleOf: (id: string) => RuleDefinition | undefined): Promise<boolean> {
    const verify = this.port.verify?.bind(this.port);
    if (!verify) return false;
    let changed = false;
    for (const f of findings) {
      const rule = ruleOf(f.ruleId);
      const key = this.store.keyOf(f);
      if (!rule?.verify || this.store.verification.has(key) || this.store.revoked.has(key)) continue;
      this.store.verification.set(key, { status: 'unknown' });
      try {
        const result = await verify(rule, f, this.context());
        this.store.verification.set(key, result);
        changed ||= result.status !== 'unknown';
      } catch (e) {
        this.warn(`verify ${f.ruleId} ${f.redacted}: ${(e as Error).message}`);
      }
    }
    return changed;
  }

  /** Revokes through the provider; on success the secret is recorded as revoked (and inactive). */
  async revoke(rule: RuleDefinition, finding: Finding): Promise<RevocationOutcome> {
    let outcome: RevocationOutcome;
    try {
      outcome = await this.port.revoke(rule, finding, this.context());
    } catch (e) {
      outcome = { ok: false, detail: (e as Error).message };
    }
    if (outcome.ok) {
      const key = this.store.keyOf(finding);
      this.store.revoked.set(key, { at: new Date().toISOString(), detail: outcome.detail });
      this.store.verification.set(key, { status: 'inactive' });
    }
    return outcome;
  }
}
