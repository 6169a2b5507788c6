/**
 * `scan --verify` and `scan --revoke-policy`: what scan does with its findings after reporting.
 * Output goes to stderr so a JSON/SARIF report on stdout stays valid.
 */
import type { Finding, RuleDefinition } from '@tokenward/engine';
import { scanRootOf, type LoadedConfig } from '@tokenward/project';
import type { Io } from './cli-util.js';

export const REVOKE_SCAN_OPTIONS = {
  verify: { type: 'boolean', default: false },
  'revoke-policy': { type: 'boolean', default: false },
} as const;

export const REVOKE_SCAN_HELP = `Verification and revocation (network; off by default):
      --verify            ask each provider, read-only, whether found tokens still work
                          (once per unique secret, cached, rate-limited; results on stderr)
      --revoke-policy     CI: revoke findings whose rule is in the config's revoke.auto and whose
                          commit is already pushed to a remote; print the plan for the rest;
                          audit log in .tokenward/audit.jsonl (keep it as the job's artifact)`;

export interface ScanHookValues {
  verify?: boolean | undefined;
  'revoke-policy'?: boolean | undefined;
}

/** Runs the requested hooks; returns 1 when a policy revocation failed, else undefined. */
export async function runScanHooks(
  values: ScanHookValues,
  ctx: { io: Io; findings: Finding[]; defs: readonly RuleDefinition[]; paths: string[]; config: LoadedConfig },
): Promise<number | undefined> {
  if (!values.verify && !values['revoke-policy']) return undefined;
  // Loaded only when asked for: a plain scan never pays for the HTTP/revocation client.
  const [{ endpointsFrom, runRevokePolicy }, { renderVerifyLine, verifyForCli }] = await Promise.all([import('./commands/revoke.js'), import('./commands/verify.js')]);
  // The scan's configuration, loaded once by its session.
  const { config } = ctx;
  const scanRoot = scanRootOf(ctx.paths, ctx.io.cwd);
  const live = ctx.findings.filter((f) => f.secret !== undefined && f.secret !== '');
  if (values.verify && live.length) {
    const { secrets } = await verifyForCli(ctx.io, live, ctx.defs, endpointsFrom([], config), { cache: true });
    ctx.io.stderr.write('Verification (read-only):\n');
    for (const s of secrets) ctx.io.stderr.write(`  ${renderVerifyLine(s)}\n`);
  }
  if (values['revoke-policy'] && live.length) {
    const failed = await runRevokePolicy({ io: ctx.io, findings: live, defs: [...ctx.defs], config, repoDir: scanRoot, out: ctx.io.stderr });
    if (failed > 0) return 1;
  }
  return undefined;
}
