/**
 * `scan --verify` and `scan --revoke-policy`: what scan does with its findings besides reporting.
 * Verification runs before the report is written (its answers are part of every format);
 * the revocation policy runs after it, with its output on stderr so a JSON/SARIF report on stdout
 * stays valid.
 */
import type { Finding, RuleDefinition } from '@tokenward/engine';
import { scanRootOf, VERIFIED_ORDER, type LoadedConfig, type VerifiedLevel } from '@tokenward/project';
import type { Io } from './cli-util.js';
import type { Report } from './reporters/report.js';

export const REVOKE_SCAN_OPTIONS = {
  verify: { type: 'boolean', default: false },
  'only-verified': { type: 'boolean', default: false },
  access: { type: 'boolean', default: true },
  yes: { type: 'boolean', short: 'y', default: false },
  endpoint: { type: 'string', multiple: true, default: [] as string[] },
  'allow-insecure-endpoint': { type: 'boolean', default: false },
  'revoke-policy': { type: 'boolean', default: false },
} as const;

export const REVOKE_SCAN_HELP = `Verification and revocation (network; off by default):
      --verify            ask each provider, read-only, whether found tokens still work and what
                          live ones reach (once per unique secret, cached, rate-limited); every
                          format then carries "verified": active | inactive | unknown. Tokens are
                          sent to their providers: on a terminal you are asked first (hosts
                          listed); without one add --yes
      --only-verified     report only findings verified active (implies --verify; config:
                          minVerified: active | unknown | inactive)
      --no-access         with --verify: only active/inactive, not what live tokens reach
  -y, --yes               send without asking (required for --verify without a terminal)
      --endpoint P=ORIGIN send provider (or rule) P's checks to ORIGIN (repeatable)
      --allow-insecure-endpoint
                          allow plain http: endpoints to other machines
      --revoke-policy     CI: revoke findings whose rule is in the config's revoke.auto and whose
                          commit is already pushed to a remote; print the plan for the rest;
                          audit log in .tokenward/audit.jsonl (keep it as the job's artifact)`;

export interface ScanHookValues {
  verify?: boolean | undefined;
  'only-verified'?: boolean | undefined;
  access?: boolean | undefined;
  yes?: boolean | undefined;
  endpoint?: string[] | undefined;
  'allow-insecure-endpoint'?: boolean | undefined;
  'revoke-policy'?: boolean | undefined;
}

interface HookContext {
  io: Io;
  defs: readonly RuleDefinition[];
  paths: string[];
  /** The scan's configuration, loaded once by its session. */
  config: LoadedConfig;
}

const wantsVerify = (v: ScanHookValues) => Boolean(v.verify || v['only-verified']);

/** Streamed output (stdin) cannot wait for verification: with --verify the report is written whole. */
export const verificationRequested = wantsVerify;

const live = (findings: readonly Finding[]) => findings.filter((f) => f.secret !== undefined && f.secret !== '');

/**
 * `--verify`: checks the reported findings and attaches the answers to the report; with
 * `--only-verified` or `minVerified`, findings below that level are left out (and counted on stderr).
 * When the user declines on the terminal the report is written unverified.
 */
export async function verifyReport(values: ScanHookValues, ctx: HookContext & { report: Report }): Promise<void> {
  if (!wantsVerify(values)) return;
  // Loaded only when asked for: a plain scan never pays for the HTTP/revocation client.
  const [{ endpointsFrom }, { verifyForCli }] = await Promise.all([import('./commands/revoke.js'), import('./commands/verify.js')]);
  const { config } = ctx;
  const endpoints = endpointsFrom(values.endpoint ?? [], config, ctx.defs, values['allow-insecure-endpoint']);
  const findings = live(ctx.report.findings);
  if (!findings.length) return;
  const verified = await verifyForCli(ctx.io, findings, ctx.defs, endpoints, { cache: true, yes: Boolean(values.yes), command: 'scan --verify', access: values.access !== false });
  if (!verified) {
    ctx.io.stderr.write('tokenward: nothing was sent; the report is not verified.\n');
    return;
  }
  ctx.report.verification = verified.byFingerprint;
  const min: VerifiedLevel | undefined = values['only-verified'] ? 'active' : config.config.minVerified;
  if (!min || min === 'inactive') return;
  const level = (f: Finding) => VERIFIED_ORDER[verified.byFingerprint.get(f.fingerprint)?.status ?? 'unknown'];
  const kept = ctx.report.findings.filter((f) => level(f) >= VERIFIED_ORDER[min]);
  const dropped = ctx.report.findings.length - kept.length;
  if (dropped) {
    ctx.io.stderr.write(`tokenward: ${dropped} ${dropped === 1 ? 'finding' : 'findings'} not reported: verified below "${min}" (${values['only-verified'] ? '--only-verified' : 'minVerified'})\n`);
  }
  ctx.report.findings = kept;
}

/** `--revoke-policy` after the report; returns 1 when a policy revocation failed, else undefined. */
export async function runScanHooks(values: ScanHookValues, ctx: HookContext & { findings: Finding[] }): Promise<number | undefined> {
  if (!values['revoke-policy']) return undefined;
  const findings = live(ctx.findings);
  if (!findings.length) return undefined;
  const { endpointsFrom, runRevokePolicy } = await import('./commands/revoke.js');
  const { config } = ctx;
  const endpoints = endpointsFrom(values.endpoint ?? [], config, ctx.defs, values['allow-insecure-endpoint']);
  const failed = await runRevokePolicy({ io: ctx.io, findings, defs: [...ctx.defs], config, endpoints, repoDir: scanRootOf(ctx.paths, ctx.io.cwd), out: ctx.io.stderr });
  return failed > 0 ? 1 : undefined;
}
