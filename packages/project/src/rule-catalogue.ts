/**
 * One row per rule for listings (`tokenward rules`) and the generated docs/rules.md: what it
 * detects, how it is checked offline, and whether it can be verified and revoked automatically.
 * Verify/revoke blocks belong to @tokenward/revoke: here they are only noticed, never interpreted.
 */
import type { RuleDefinition } from '@tokenward/engine';

export interface RuleSummary {
  id: string;
  provider: string;
  title: string;
  severity: string;
  keywords: string[];
  /** Structural detector of a rule that recognises whole files (key stores) instead of keywords. */
  detector: string | null;
  /** Named offline checksum, if the token format embeds one. */
  checksum: string | null;
  /** Paired credential part reported with the secret (e.g. `secretAccessKey`). */
  pair: string | null;
  /** A read-only verification request is declared. */
  verify: boolean;
  /** `api` when a revocation request is declared, `manual` when only hand steps exist, else null. */
  revoke: 'api' | 'manual' | null;
  /** Where a person rotates or revokes it by hand. */
  rotate: string | null;
  docs: string | null;
  tags: string[];
  file: string | null;
}

const declared = (v: unknown): boolean => v !== undefined && v !== null && (typeof v !== 'object' || Object.keys(v).length > 0);

export function ruleSummary(def: RuleDefinition): RuleSummary {
  const revokeApi = declared(def.revoke);
  return {
    id: def.id,
    provider: def.provider,
    title: def.title,
    severity: def.severity,
    keywords: [...def.keywords],
    detector: def.detector ?? null,
    checksum: def.validators?.checksum ?? null,
    pair: def.pair?.name ?? null,
    verify: declared(def.verify),
    revoke: revokeApi ? 'api' : def.rotate ? 'manual' : null,
    rotate: def.rotate?.steps ?? null,
    docs: def.rotate?.url ?? null,
    tags: [...(def.tags ?? [])],
    file: def.source?.file ?? null,
  };
}

/** Summaries sorted by provider, then id: the order people look things up in. */
export function ruleSummaries(defs: readonly RuleDefinition[]): RuleSummary[] {
  return defs.map(ruleSummary).sort((a, b) => a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id));
}
