import { resolve } from 'node:path';
import type { Finding, RuleDefinition } from '@tokenward/engine';
import {
  checkDetails,
  createVerifyCache,
  findingPlace,
  HttpClient,
  verifyFindings,
  verifyHosts,
  VERIFY_CACHE_TTL_MS,
  type EndpointOverrides,
  type VerifiedSecret,
  type VerifyResult,
} from '@tokenward/revoke';
import type { Io } from '../cli-util.js';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, EXIT_FINDINGS, UsageError } from '../errors.js';
import { verificationJson } from '../reporters/report.js';
import { collectFindings, configFlags, consentToSend, endpointsFrom, hostList, loadRuleSet, parseTimeout, VERIFY_CACHE_FILE } from './revoke.js';

const HELP = `Usage: tokenward verify [options] [PATH...]
       tokenward verify --token - [--rule ID] [options]   (the token is read from standard input)

Ask each provider, read-only, whether the tokens found in PATHs (default: .) still work:
active, inactive or unknown (with the HTTP status and when). For a live token the access map
follows: who it belongs to and what it reaches (account, scopes, expiry, repositories), from the
provider's documented read-only calls. Each unique secret is checked once; requests to one host
are spaced out.

Tokens are sent to their providers: on a terminal the hosts are listed and you are asked first;
without a terminal --yes is required.

Answers are cached for ${VERIFY_CACHE_TTL_MS / 60_000} minutes in ${VERIFY_CACHE_FILE} (keyed by rule, host and
fingerprint; never the secret); --no-cache asks again.

Options:
  -y, --yes                  send without asking (required without a terminal)
      --token -              one token, read from standard input (never from the command line)
      --rule ID              only findings of this rule (repeatable); with --token -, the token's rule
      --provider NAME        only findings of this provider (repeatable), e.g. github
      --endpoint P=ORIGIN    send provider (or rule) P's requests to ORIGIN (repeatable; also in
                             your own config or a trusted project config: revoke.endpoints)
      --allow-insecure-endpoint
                             allow plain http: endpoints to other machines (tokens in clear text)
      --no-access            only active/inactive: do not read what live tokens reach
  -f, --format FORMAT        text (default) or json
      --no-cache             ask again even when a recent answer is cached
      --timeout SECONDS      per request (default 10)
      --rules PATH           extra rule file or folder (repeatable)
      --config FILE          configuration file
      --no-config            ignore configuration files (yours and the project's)
  -h, --help                 show this help

Exit codes: 0 no active token, 1 at least one token is active, 2 usage error.`;

const OPTIONS = {
  yes: { type: 'boolean', short: 'y', default: false },
  token: { type: 'string' },
  rule: { type: 'string', multiple: true, default: [] as string[] },
  provider: { type: 'string', multiple: true, default: [] as string[] },
  endpoint: { type: 'string', multiple: true, default: [] as string[] },
  'allow-insecure-endpoint': { type: 'boolean', default: false },
  access: { type: 'boolean', default: true },
  format: { type: 'string', short: 'f', default: 'text' },
  cache: { type: 'boolean', default: true },
  timeout: { type: 'string' },
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  // Declared so strict parsing accepts it; parseArgs (allowNegative) reports it as `config: false`.
  'no-config': { type: 'boolean' },
} as const;

/** One secret's answer, then (indented) why the host, and what a live token reaches. */
export function renderVerifyLine(s: VerifiedSecret): string {
  const r = s.result;
  const lines = [`${r.status.padEnd(8)} ${s.rule.provider}: ${s.rule.title} ${s.finding.redacted}  ${findingPlace(s.finding)} ${checkDetails(r)}`];
  if (r.override) lines.push(`         ${r.override}`);
  for (const f of r.access?.facts ?? []) lines.push(`         ${f.label} ${f.text}`);
  for (const p of r.access?.problems ?? []) lines.push(`         (access: ${p})`);
  return lines.join('\n');
}

/** Asks for consent (hosts listed), then verifies findings with the CLI's cache and client; shared by `verify` and `scan --verify`. */
export async function verifyForCli(
  io: Io,
  findings: readonly Finding[],
  defs: readonly RuleDefinition[],
  endpoints: EndpointOverrides,
  opts: { cache: boolean; yes: boolean; command: string; access?: boolean; timeoutMs?: number | undefined },
): Promise<{ secrets: VerifiedSecret[]; byFingerprint: Map<string, VerifyResult> } | undefined> {
  const hosts = verifyHosts(findings, defs, endpoints).map((h) => ({ ...h, what: 'check' }));
  if (hosts.length && !(await consentToSend(io, { yes: opts.yes, command: opts.command, hosts: hostList(hosts), question: 'Send them (read-only checks)?' }))) return undefined;
  const cache = opts.cache ? createVerifyCache({ file: resolve(io.cwd, VERIFY_CACHE_FILE) }) : undefined;
  const http = new HttpClient({ minIntervalMs: 250, timeoutMs: opts.timeoutMs ?? 10_000 });
  return verifyFindings(findings, defs, { endpoints, http, access: opts.access !== false, ...(cache ? { cache } : {}) });
}

export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'check read-only whether found tokens are still active, and what live ones reach',
  help: HELP,
  options: OPTIONS,
  async run({ values, positionals }, io) {
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`verify: unknown format "${values.format}" (use text or json)`);
    const timeoutMs = parseTimeout(values.timeout);
    const set = loadRuleSet(io, positionals, configFlags(values));
    const endpoints = endpointsFrom(values.endpoint, set.config, set.defs, values['allow-insecure-endpoint']);
    const findings = await collectFindings(io, positionals, values.token, { rules: values.rule, providers: values.provider }, set, 'verify');
    const verified = await verifyForCli(io, findings, set.defs, endpoints, { cache: values.cache, yes: values.yes, command: 'verify', access: values.access, timeoutMs });
    if (!verified) {
      io.stderr.write('Nothing was sent.\n');
      return EXIT_CLEAN;
    }
    const { secrets } = verified;
    if (values.format === 'json') {
      const out = secrets.map((s) => ({
        rule: s.rule.id,
        provider: s.rule.provider,
        fingerprint: s.fingerprint,
        redacted: s.finding.redacted,
        locations: s.occurrences.map(findingPlace),
        verified: s.result.status,
        ...verificationJson(s.result),
      }));
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (secrets.length === 0) {
      io.stdout.write('No tokens found: nothing to verify.\n');
    } else {
      for (const s of secrets) io.stdout.write(`${renderVerifyLine(s)}\n`);
      const count = (st: string) => secrets.filter((s) => s.result.status === st).length;
      io.stdout.write(`\n${count('active')} active, ${count('inactive')} inactive, ${count('unknown')} unknown.\n`);
    }
    return secrets.some((s) => s.result.status === 'active') ? EXIT_FINDINGS : EXIT_CLEAN;
  },
});
