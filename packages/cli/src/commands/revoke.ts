import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { compileRule, fingerprint, redact, scanText, validateSecret, type CompiledRules, type Finding, type RuleDefinition } from '@tokenward/engine';
import type { LoadedConfig } from '@tokenward/project';
import {
  auditPlan,
  checkEndpointKeys,
  createAuditLog,
  createVerifyCache,
  EndpointError,
  executePlan,
  HttpClient,
  isFailure,
  parseEndpoints,
  planRevocation,
  providerKey,
  renderPlan,
  renderResults,
  SpecError,
  verifyFindings,
  verifyTarget,
  AuditWriteError,
  type AuditLog,
  type EndpointOverride,
  type EndpointOverrides,
  type RevocationPlan,
} from '@tokenward/revoke';
import type { Io } from '../cli-util.js';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, EXIT_ERROR, UsageError } from '../errors.js';
import { FilesSource, listFiles, runGit } from '@tokenward/sources';
import { ScanSession } from '../session.js';

export const EXIT_REVOKE_FAILED = 1;

/** Where `verify`, `revoke` and `scan --verify` keep answers (fingerprints, never secrets). */
export const VERIFY_CACHE_FILE = '.tokenward/verify-cache.json';

const HELP = `Usage: tokenward revoke [options] [PATH...]
       tokenward revoke --token - [--rule ID] [options]   (the token is read from standard input)

Scan PATHs (default: .) and revoke each leaked token through its provider's API, or show the
exact manual steps where the provider has no API. Each token is first checked read-only where
its rule can (active or not, and what a live token reaches: account, scopes, repositories), so
the plan says what revoking it cuts off.

Without --yes and without a terminal only the plan is printed (what will be called, where, and
that it cannot be undone); nothing is sent. On a terminal you are shown the hosts before the
first request and asked before anything is revoked (even with --yes).

Options:
  -y, --yes                  act without a terminal to ask on: check, then revoke
      --token -              one token, read from standard input (never from the command line)
      --rule ID              only findings of this rule (repeatable); with --token -, the token's rule
      --provider NAME        only findings of this provider (repeatable), e.g. github
      --endpoint P=ORIGIN    send provider (or rule) P's requests to ORIGIN, keeping its documented
                             paths (GitHub Enterprise Server, self-managed GitLab, tests);
                             repeatable; also in your own config (~/.config/tokenward/config.yaml)
                             or a trusted project config: revoke.endpoints
      --allow-insecure-endpoint
                             allow plain http: endpoints to other machines (tokens in clear text)
      --audit FILE           audit log, one JSON line per action (default .tokenward/audit.jsonl)
      --no-verify            no read-only checks: neither before (what the token reaches) nor
                             after (whether the revocation took)
      --timeout SECONDS      per request (default 15)
      --rules PATH           extra rule file or folder (repeatable)
      --config FILE          configuration file (default: .tokenward.yaml/.yml/.json found upwards)
      --no-config            ignore configuration files (yours and the project's)
  -h, --help                 show this help

Exit codes: 0 all revoked (or only planned, or manual steps shown), 1 some revocation failed or
was not confirmed (the token still answers active), 2 usage error (unknown token, no rule
matches, bad option, audit log not writable).`;

const OPTIONS = {
  yes: { type: 'boolean', short: 'y', default: false },
  token: { type: 'string' },
  rule: { type: 'string', multiple: true, default: [] as string[] },
  provider: { type: 'string', multiple: true, default: [] as string[] },
  endpoint: { type: 'string', multiple: true, default: [] as string[] },
  'allow-insecure-endpoint': { type: 'boolean', default: false },
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
    if (index < 0) throw new UsageError(`--rule: unknown rule "${ruleId}" (see tokenward rules for ids)`);
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

/**
 * Endpoint overrides: the user's own configuration and a trusted project configuration, then
 * flags (flags win). Each must name a provider or rule that contacts a host.
 */
export function endpointsFrom(flags: readonly string[], config: LoadedConfig | undefined, defs: readonly RuleDefinition[], allowInsecure = false): EndpointOverrides {
  try {
    const merged = new Map<string, EndpointOverride>();
    for (const e of config?.endpoints ?? []) for (const [k, v] of parseEndpoints({ [e.key]: e.origin }, { source: e.source, allowInsecure })) merged.set(k, v);
    for (const [k, v] of parseEndpoints(flags, { allowInsecure })) merged.set(k, v);
    checkEndpointKeys(merged, defs);
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

/** `--provider` / `--rule` filters for path scans; an unknown name is an error listing the known ones. */
export function findingFilter(defs: readonly RuleDefinition[], providers: readonly string[], rules: readonly string[]): ((f: Finding) => boolean) | undefined {
  if (!providers.length && !rules.length) return undefined;
  const knownProviders = new Map(defs.map((d) => [providerKey(d.provider), d.provider]));
  for (const p of providers) {
    if (!knownProviders.has(providerKey(p))) throw new UsageError(`--provider: unknown provider "${p}" (known: ${[...new Set(knownProviders.values())].sort().join(', ')})`);
  }
  const ids = new Set(defs.map((d) => d.id));
  for (const r of rules) if (!ids.has(r)) throw new UsageError(`--rule: unknown rule "${r}" (see tokenward rules for ids)`);
  const wantP = new Set(providers.map(providerKey));
  const wantR = new Set(rules);
  return (f) => (wantP.size === 0 || wantP.has(providerKey(f.provider))) && (wantR.size === 0 || wantR.has(f.ruleId));
}

/** Findings of PATHs, or of the one token on standard input; `--provider`/`--rule` narrow path scans. */
export async function collectFindings(
  io: Io,
  positionals: string[],
  token: string | undefined,
  select: { rules: readonly string[]; providers: readonly string[] },
  set: LoadedRuleSet,
  command: string,
): Promise<Finding[]> {
  if (token !== undefined) {
    if (token !== '-') throw new UsageError(`${command}: --token takes "-" only: the token is read from standard input, never from the command line (where ps would show it)`);
    if (positionals.length) throw new UsageError(`${command}: --token - cannot be combined with paths`);
    if (select.rules.length > 1) throw new UsageError(`${command}: --token - takes at most one --rule`);
    if (select.providers.length) throw new UsageError(`${command}: --provider goes with paths; with --token - name the rule with --rule`);
    return [findingForToken(await readTokenFromStdin(io), set.defs, set.compiled, select.rules[0])];
  }
  const keep = findingFilter(set.defs, select.providers, select.rules);
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
  return keep ? report.findings.filter(keep) : report.findings;
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

/** A person can be asked: standard input and standard error are a terminal. */
export const canAsk = (io: Io): boolean => Boolean((io.stdin as { isTTY?: boolean }).isTTY && io.stderr.isTTY);

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function ask(io: Io, question: string): Promise<boolean> {
  io.stderr.write(`${question} [y/N] `);
  const rl = createInterface({ input: io.stdin, terminal: false });
  const answer = await new Promise<string>((done) => {
    rl.once('line', done);
    rl.once('close', () => done(''));
  });
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** Hosts a run will contact, with what goes there: `api.github.com  check 2 tokens, revoke 2 tokens`. */
export function hostList(entries: { host: string; what: string; override?: string | undefined }[]): string {
  const byHost = new Map<string, { counts: Map<string, number>; override?: string }>();
  for (const e of entries) {
    const h = byHost.get(e.host) ?? { counts: new Map<string, number>() };
    h.counts.set(e.what, (h.counts.get(e.what) ?? 0) + 1);
    if (e.override) h.override = e.override;
    byHost.set(e.host, h);
  }
  const width = Math.max(...[...byHost.keys()].map((h) => h.length));
  return [...byHost]
    .map(([host, h]) => {
      const what = [...h.counts].map(([w, n]) => `${w} ${n} ${n === 1 ? 'token' : 'tokens'}`).join(', ');
      return `  ${host.padEnd(width)}  ${what}${h.override ? `  (${h.override})` : ''}`;
    })
    .join('\n');
}

/**
 * Consent before the first request: on a terminal the hosts are listed and the user asked (a
 * `--yes` there only skips the question, the list is still shown); without one, `--yes` is
 * required. Returns false when the user declined.
 */
export async function consentToSend(io: Io, o: { yes: boolean; command: string; hosts: string; question: string }): Promise<boolean> {
  if (canAsk(io)) {
    io.stderr.write(`${o.command}: these hosts will receive found tokens:\n${o.hosts}\n`);
    return o.yes || ask(io, o.question);
  }
  if (o.yes) return true;
  throw new UsageError(`${o.command}: would send found tokens to:\n${o.hosts}\nThere is no terminal to ask on: add --yes to confirm`);
}

export interface RevokeRunOptions {
  io: Io;
  findings: Finding[];
  defs: RuleDefinition[];
  endpoints: EndpointOverrides;
  never?: readonly string[];
  audit: AuditLog;
  yes: boolean;
  /** Read-only checks before (access) and after (confirmation). */
  verify: boolean;
  timeoutMs?: number | undefined;
  out: NodeJS.WritableStream;
  confirmHint?: string;
  /** Verify cache read before and updated after revoking (so `verify` does not answer a stale `active`). */
  verifyCacheFile?: string;
  /** Ask on a terminal (default true); CI policy runs never ask. */
  interactive?: boolean;
}

/** The audit log must take lines before anything is revoked. */
function auditUsable(audit: AuditLog): void {
  try {
    audit.check();
  } catch (e) {
    if (e instanceof AuditWriteError) throw new UsageError(`${e.message}: nothing was revoked (every revocation is recorded first)`);
    throw e;
  }
}

/** Hosts a plan would contact: checks where the rule has one, then the revocation's host. */
function planHosts(plan: RevocationPlan, endpoints: EndpointOverrides, verify: boolean): { host: string; what: string; override?: string }[] {
  const out: { host: string; what: string; override?: string }[] = [];
  for (const item of plan.items) {
    const check = verify && item.canVerify ? verifyTarget(item.rule, endpoints) : undefined;
    if (check) out.push({ host: check.host, what: 'check', ...(check.override ? { override: check.override } : {}) });
    if (item.action.kind === 'api') out.push({ host: item.action.host, what: 'revoke', ...(item.action.override ? { override: item.action.override } : {}) });
  }
  return out;
}

/** Plans, checks what each live token reaches, confirms, then acts; returns how many revocations failed. */
export async function runRevocation(o: RevokeRunOptions): Promise<{ failed: number; planned: number }> {
  const plan = specUsage(() => planRevocation(o.findings, o.defs, { endpoints: o.endpoints, never: o.never }));
  const interactive = o.interactive !== false && canAsk(o.io);
  const apiItems = plan.items.filter((i) => i.action.kind === 'api').length;
  if (!o.yes && !interactive) {
    // No consent possible: the plan only, nothing sent.
    o.out.write(renderPlan(plan, o.confirmHint ? { confirmHint: o.confirmHint } : {}));
    auditPlan(plan, o.audit);
    return { failed: 0, planned: plan.items.length };
  }
  // Nothing is sent (not even a check) when the revocations could not be recorded.
  if (apiItems > 0) auditUsable(o.audit);
  const hosts = planHosts(plan, o.endpoints, o.verify);
  if (hosts.length && interactive && !(await consentToSend(o.io, { yes: o.yes, command: 'revoke', hosts: hostList(hosts), question: 'Check these tokens (read-only) and show the plan?' }))) {
    o.out.write('Nothing was sent.\n');
    auditPlan(plan, o.audit);
    return { failed: 0, planned: plan.items.length };
  }
  const cache = o.verifyCacheFile ? createVerifyCache({ file: o.verifyCacheFile }) : undefined;
  const checkable = plan.items.filter((i) => i.canVerify);
  if (o.verify && checkable.length) {
    const http = new HttpClient({ minIntervalMs: 250, timeoutMs: o.timeoutMs ?? 10_000 });
    const { byFingerprint } = await verifyFindings(
      checkable.map((i) => i.finding),
      o.defs,
      { endpoints: o.endpoints, http, ...(cache ? { cache } : {}) },
    );
    for (const item of checkable) {
      const r = byFingerprint.get(item.finding.fingerprint);
      if (r) item.check = r;
    }
  }
  o.out.write(renderPlan(plan, { checked: o.verify && checkable.length > 0, confirmHint: interactive ? 'You are asked before anything is revoked.' : 'Acting now (--yes).' }));
  if (interactive && apiItems > 0 && !(await ask(o.io, `Revoke ${apiItems} ${apiItems === 1 ? 'token' : 'tokens'} now? This cannot be undone.`))) {
    o.out.write('Nothing was revoked.\n');
    auditPlan(plan, o.audit);
    return { failed: 0, planned: plan.items.length };
  }
  const http = new HttpClient(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {});
  const results = await executePlan(plan, { endpoints: o.endpoints, http, audit: o.audit, verifyAfter: o.verify, ...(cache ? { cache } : {}) });
  cache?.save?.();
  o.out.write(`\n${renderResults(results)}`);
  return { failed: results.filter(isFailure).length, planned: 0 };
}

export const revokeCommand = defineCommand({
  name: 'revoke',
  summary: 'revoke leaked tokens through provider APIs (plan first; --yes to act)',
  help: HELP,
  options: OPTIONS,
  async run({ values, positionals }, io) {
    const timeoutMs = parseTimeout(values.timeout);
    const set = loadRuleSet(io, positionals, configFlags(values));
    const endpoints = endpointsFrom(values.endpoint, set.config, set.defs, values['allow-insecure-endpoint']);
    const findings = await collectFindings(io, positionals, values.token, { rules: values.rule, providers: values.provider }, set, 'revoke');
    if (findings.length === 0) {
      io.stdout.write('No tokens found: nothing to revoke.\n');
      return EXIT_CLEAN;
    }
    const audit = createAuditLog(auditPath(io, values.audit, set.config));
    const { failed } = await runRevocation({
      io,
      findings,
      defs: set.defs,
      endpoints,
      never: set.config.config.revoke?.never,
      audit,
      yes: values.yes,
      verify: values.verify,
      timeoutMs,
      out: io.stdout,
      verifyCacheFile: resolve(io.cwd, VERIFY_CACHE_FILE),
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
  endpoints: EndpointOverrides;
  repoDir: string;
  out: NodeJS.WritableStream;
}): Promise<number> {
  const auto = new Set(o.config?.config.revoke?.auto ?? []);
  const audit = createAuditLog(auditPath(o.io, undefined, o.config));
  const commits = o.findings.map((f) => f.origin.commit).filter((c): c is string => c !== undefined);
  const pushed = pushedCommits(o.repoDir, commits);
  // A secret is revoked automatically when any of its occurrences qualifies.
  const autoSecrets = new Set(o.findings.filter((f) => auto.has(f.ruleId) && f.origin.commit !== undefined && pushed.has(f.origin.commit)).map((f) => f.secret));
  const now = o.findings.filter((f) => autoSecrets.has(f.secret));
  const later = o.findings.filter((f) => !autoSecrets.has(f.secret));
  const common = { io: o.io, defs: o.defs, endpoints: o.endpoints, never: o.config?.config.revoke?.never, audit, out: o.out, interactive: false };
  let failed = 0;
  if (now.length) {
    o.out.write(`Revoking ${autoSecrets.size} pushed ${autoSecrets.size === 1 ? 'token' : 'tokens'} (revoke.auto):\n`);
    failed = (await runRevocation({ ...common, findings: now, yes: true, verify: true })).failed;
  }
  if (later.length) {
    await runRevocation({
      ...common,
      findings: later,
      yes: false,
      verify: false,
      confirmHint: 'Not revoked automatically (rule not in revoke.auto, or commit not pushed): run tokenward revoke --yes to act.',
    });
  }
  o.out.write(`tokenward: audit log: ${audit.path}\n`);
  return failed;
}

export { EXIT_ERROR };
