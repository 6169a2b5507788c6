import { resolve } from 'node:path';
import { compileRule, fingerprint, redact, scanText, validateSecret, type CompiledRules, type Finding, type RuleDefinition } from '@tokenward/engine';
import type { LoadedConfig } from '@tokenward/project';
import {
  auditPlan,
  createAuditLog,
  createVerifyCache,
  EndpointError,
  executePlan,
  HttpClient,
  parseEndpoints,
  planRevocation,
  renderPlan,
  renderResults,
  SpecError,
  type AuditLog,
  type EndpointOverrides,
} from '@tokenward/revoke';
import type { Io } from '../cli-util.js';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, EXIT_ERROR, UsageError } from '../errors.js';
import { FilesSource, listFiles, runGit } from '@tokenward/sources';
import { ScanSession } from '../session.js';

export const EXIT_REVOKE_FAILED = 1;

const HELP = `Usage: tokenward revoke [options] [PATH...]
       tokenward revoke --token - [--rule ID] [options]   (the token is read from standard input)

Scan PATHs (default: .) and revoke each leaked token through its provider's API, or show the
exact manual steps where the provider has no API. Without --yes only the plan is printed (what
will be called, where, and that it cannot be undone); nothing is called.

Options:
  -y, --yes                  act: call the providers' revocation APIs
      --token -              one token, read from standard input (never from the command line)
      --rule ID              the rule of that token, when the token alone does not identify it
      --endpoint P=ORIGIN    send provider P's requests to ORIGIN, keeping its documented paths
                             (GitHub Enterprise Server, self-managed GitLab, tests); repeatable;
                             config: revoke.endpoints
      --audit FILE           audit log, one JSON line per action (default .tokenward/audit.jsonl)
      --no-verify            do not re-check tokens after revoking them
      --timeout SECONDS      per request (default 15)
      --rules PATH           extra rule file or folder (repeatable)
      --config FILE          configuration file (default: .tokenward.yaml/.yml/.json found upwards)
      --no-config            ignore configuration files
  -h, --help                 show this help

Exit codes: 0 all revoked (or only planned, or manual steps shown), 1 some revocation failed,
2 usage error (unknown token, no rule matches, bad option).`;

const OPTIONS = {
  yes: { type: 'boolean', short: 'y', default: false },
  token: { type: 'string' },
  rule: { type: 'string' },
  endpoint: { type: 'string', multiple: true, default: [] as string[] },
  audit: { type: 'string' },
  verify: { type: 'boolean', default: true },
  timeout: { type: 'string' },
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  // Declared so strict parsing accepts it; parseArgs (allowNegative) reports it as `config: false`.
  'no-config': { type: 'boolean' },
} as const;

/** Reads all of standard input: one token, surrounding whitespace removed. */
export async function readTokenFromStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (token === '') throw new UsageError('--token -: standard input is empty (pipe the token in, e.g. from a password manager)');
  if (/\s/.test(token)) throw new UsageError('--token -: expected one token on standard input, got several words or lines');
  return token;
}

function stdinFinding(def: RuleDefinition, token: string, visiblePrefixes: readonly string[], confidence: Finding['confidence']): Finding {
  return {
    ruleId: def.id,
    provider: def.provider,
    title: def.title,
    severity: def.severity,
    confidence,
    origin: { path: '<stdin>', kind: 'stdin' },
    start: { line: 1, column: 1 },
    end: { line: 1, column: token.length + 1 },
    byteOffset: 0,
    byteLength: Buffer.byteLength(token),
    redacted: redact(token, visiblePrefixes),
    fingerprint: fingerprint(def.id, token),
    secret: token,
  };
}

/** Which rule a bare token belongs to: `--rule`, else the one rule whose pattern takes it whole. */
export function findingForToken(token: string, defs: readonly RuleDefinition[], compiled: CompiledRules, ruleId: string | undefined): Finding {
  if (ruleId !== undefined) {
    const index = defs.findIndex((d) => d.id === ruleId);
    if (index < 0) throw new UsageError(`--rule: unknown rule "${ruleId}" (see rules/*.yaml for ids)`);
    const def = defs[index]!;
    const rule = compileRule(def, index);
    if (!validateSecret(rule, token)) throw new UsageError(`--token: the token does not have the form of a ${def.title} (length, characters or checksum)`);
    return stdinFinding(def, token, rule.visiblePrefixes, rule.confidence);
  }
  const found = scanText(compiled, token, { path: '<stdin>', kind: 'stdin' }).filter((f) => f.secret === token);
  const byRule = new Map(found.map((f) => [f.ruleId, f]));
  if (byRule.size === 0) throw new UsageError('--token: no rule recognises this token on its own; name its rule with --rule ID');
  if (byRule.size > 1) {
    const ids = [...byRule.keys()];
    const withApi = ids.filter((id) => defs.find((d) => d.id === id)?.revoke);
    if (withApi.length !== 1) throw new UsageError(`--token: several rules match this token (${ids.join(', ')}); choose one with --rule ID`);
    return byRule.get(withApi[0]!)!;
  }
  return [...byRule.values()][0]!;
}

/** Endpoint overrides from the configuration, then flags (flags win). */
export function endpointsFrom(flags: readonly string[], config: LoadedConfig | undefined): EndpointOverrides {
  try {
    const merged = new Map(parseEndpoints(config?.config.revoke?.endpoints ?? {}));
    for (const [k, v] of parseEndpoints(flags)) merged.set(k, v);
    return merged;
  } catch (e) {
    if (e instanceof EndpointError) throw new UsageError(e.message);
    throw e;
  }
}

export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout takes seconds, e.g. 10 (got "${value}")`);
  return n * 1000;
}

/** node:util parseArgs (allowNegative) turns `--no-config` into `config: false`. */
export function configFlags(values: { rules: string[]; config?: string | boolean | undefined; 'no-config'?: boolean | undefined }): { rules: string[]; config?: string; noConfig: boolean } {
  const noConfig = values.config === false || values['no-config'] === true;
  return typeof values.config === 'string' && !noConfig ? { rules: values.rules, config: values.config, noConfig } : { rules: values.rules, noConfig };
}

/** Rules, configuration and suppression, loaded once: the scan session `scan` uses. */
export type LoadedRuleSet = ScanSession;

export function loadRuleSet(io: Io, paths: readonly string[], flags: { rules: string[]; config?: string; noConfig: boolean }): LoadedRuleSet {
  return ScanSession.open(io, paths, flags);
}

/** Findings of PATHs, or of the one token on standard input. */
export async function collectFindings(io: Io, positionals: string[], token: string | undefined, ruleId: string | undefined, set: LoadedRuleSet, command: string): Promise<Finding[]> {
  if (token !== undefined) {
    if (token !== '-') throw new UsageError(`${command}: --token takes "-" only: the token is read from standard input, never from the command line (where ps would show it)`);
    if (positionals.length) throw new UsageError(`${command}: --token - cannot be combined with paths`);
    return [findingForToken(await readTokenFromStdin(io), set.defs, set.compiled, ruleId)];
  }
  if (ruleId !== undefined) throw new UsageError(`${command}: --rule goes with --token -`);
  const paths = positionals.length ? positionals : ['.'];
  if (paths.includes('-')) throw new UsageError(`${command}: use --token - to read a token from standard input`);
  // Same suppression as `scan` (path ignores, inline directives, allow-list, baseline): what scan
  // does not report is not revoked either.
  const { suppression } = set;
  const { files, problems } = await listFiles(paths, { cwd: io.cwd, env: io.env });
  const result = await set.scan(new FilesSource(suppression.filterFiles(files)));
  for (const p of [...problems, ...result.problems]) io.stderr.write(`tokenward: warning: cannot read ${p.path}: ${p.message}\n`);
  const report: { findings: Finding[] } = { findings: result.findings };
  suppression.finish(report);
  return report.findings;
}

export function auditPath(io: Io, flag: string | undefined, config: LoadedConfig | undefined): string {
  if (flag !== undefined) return resolve(io.cwd, flag);
  return config?.resolved.auditLog ?? resolve(io.cwd, '.tokenward/audit.jsonl');
}

function specUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message);
    throw e;
  }
}

export interface RevokeRunOptions {
  findings: Finding[];
  defs: RuleDefinition[];
  endpoints: EndpointOverrides;
  never?: readonly string[];
  audit: AuditLog;
  yes: boolean;
  verifyAfter: boolean;
  timeoutMs?: number | undefined;
  out: NodeJS.WritableStream;
  confirmHint?: string;
  /** Verify cache updated with the checks made after revoking (so `verify` does not answer a stale `active`). */
  verifyCacheFile?: string;
}

/** Plans, then (with `yes`) acts; returns how many revocations failed. */
export async function runRevocation(o: RevokeRunOptions): Promise<{ failed: number; planned: number }> {
  const plan = specUsage(() => planRevocation(o.findings, o.defs, { endpoints: o.endpoints, never: o.never }));
  if (!o.yes) {
    o.out.write(renderPlan(plan, o.confirmHint ? { confirmHint: o.confirmHint } : {}));
    auditPlan(plan, o.audit);
    return { failed: 0, planned: plan.items.length };
  }
  const http = new HttpClient(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {});
  const cache = o.verifyCacheFile ? createVerifyCache({ file: o.verifyCacheFile }) : undefined;
  const results = await executePlan(plan, { endpoints: o.endpoints, http, audit: o.audit, verifyAfter: o.verifyAfter, ...(cache ? { cache } : {}) });
  cache?.save?.();
  o.out.write(renderResults(results));
  return { failed: results.filter((r) => r.outcome === 'failed').length, planned: 0 };
}

export const revokeCommand = defineCommand({
  name: 'revoke',
  summary: 'revoke leaked tokens through provider APIs (plan first; --yes to act)',
  help: HELP,
  options: OPTIONS,
  async run({ values, positionals }, io) {
    const timeoutMs = parseTimeout(values.timeout);
    const set = loadRuleSet(io, positionals, configFlags(values));
    const endpoints = endpointsFrom(values.endpoint, set.config);
    const findings = await collectFindings(io, positionals, values.token, values.rule, set, 'revoke');
    if (findings.length === 0) {
      io.stdout.write('No tokens found: nothing to revoke.\n');
      return EXIT_CLEAN;
    }
    const audit = createAuditLog(auditPath(io, values.audit, set.config));
    const { failed } = await runRevocation({
      findings,
      defs: set.defs,
      endpoints,
      never: set.config.config.revoke?.never,
      audit,
      yes: values.yes,
      verifyAfter: values.verify,
      timeoutMs,
      out: io.stdout,
      verifyCacheFile: resolve(io.cwd, '.tokenward/verify-cache.json'),
    });
    io.stderr.write(`tokenward: audit log: ${audit.path}\n`);
    return failed > 0 ? EXIT_REVOKE_FAILED : EXIT_CLEAN;
  },
});

/** Commits reachable from any remote-tracking ref ("already pushed"). */
export function pushedCommits(repoDir: string, commits: readonly string[]): Set<string> {
  const pushed = new Set<string>();
  for (const c of new Set(commits)) {
    const r = runGit(['for-each-ref', '--count=1', '--contains', c, '--format=%(refname)', 'refs/remotes/'], repoDir);
    // Unknown commit or not a repository: treat as not pushed (the safe side: plan only).
    if (r.status === 0 && r.stdout.toString('utf8').trim() !== '') pushed.add(c);
  }
  return pushed;
}

/**
 * `scan --revoke-policy` (CI): revoke automatically only findings in commits already pushed to a
 * remote whose rule is listed in `revoke.auto`; everything else gets the plan. Output on `out`
 * (stderr, so a JSON/SARIF report on stdout stays valid). Returns how many revocations failed.
 */
export async function runRevokePolicy(o: {
  io: Io;
  findings: Finding[];
  defs: RuleDefinition[];
  config: LoadedConfig | undefined;
  repoDir: string;
  out: NodeJS.WritableStream;
}): Promise<number> {
  const auto = new Set(o.config?.config.revoke?.auto ?? []);
  const endpoints = endpointsFrom([], o.config);
  const audit = createAuditLog(auditPath(o.io, undefined, o.config));
  const commits = o.findings.map((f) => f.origin.commit).filter((c): c is string => c !== undefined);
  const pushed = pushedCommits(o.repoDir, commits);
  // A secret is revoked automatically when any of its occurrences qualifies.
  const autoSecrets = new Set(o.findings.filter((f) => auto.has(f.ruleId) && f.origin.commit !== undefined && pushed.has(f.origin.commit)).map((f) => f.secret));
  const now = o.findings.filter((f) => autoSecrets.has(f.secret));
  const later = o.findings.filter((f) => !autoSecrets.has(f.secret));
  let failed = 0;
  if (now.length) {
    o.out.write(`Revoking ${autoSecrets.size} pushed ${autoSecrets.size === 1 ? 'token' : 'tokens'} (revoke.auto):\n`);
    failed = (await runRevocation({ findings: now, defs: o.defs, endpoints, never: o.config?.config.revoke?.never, audit, yes: true, verifyAfter: true, out: o.out })).failed;
  }
  if (later.length) {
    await runRevocation({
      findings: later,
      defs: o.defs,
      endpoints,
      never: o.config?.config.revoke?.never,
      audit,
      yes: false,
      verifyAfter: false,
      out: o.out,
      confirmHint: 'Not revoked automatically (rule not in revoke.auto, or commit not pushed): run tokenward revoke --yes to act.',
    });
  }
  o.out.write(`tokenward: audit log: ${audit.path}\n`);
  return failed;
}

export { EXIT_ERROR };
