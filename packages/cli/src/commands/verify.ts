import { resolve } from 'node:path';
import type { Finding, RuleDefinition } from '@tokenward/engine';
import { createVerifyCache, HttpClient, verifyFindings, type EndpointOverrides, type VerifiedSecret, type VerifyResult } from '@tokenward/revoke';
import type { Io } from '../cli-util.js';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, EXIT_FINDINGS, UsageError } from '../errors.js';
import { collectFindings, configFlags, endpointsFrom, loadRuleSet, parseTimeout } from './revoke.js';

const HELP = `Usage: tokenward verify [options] [PATH...]
       tokenward verify --token - [--rule ID] [options]   (the token is read from standard input)

Ask each provider, read-only, whether the tokens found in PATHs (default: .) still work:
active, inactive or unknown. Each unique secret is checked once; answers are cached for an hour
in .tokenward/verify-cache.json (fingerprints only); requests to one host are spaced out.

Options:
      --token -              one token, read from standard input (never from the command line)
      --rule ID              the rule of that token, when the token alone does not identify it
      --endpoint P=ORIGIN    send provider P's requests to ORIGIN (repeatable; config: revoke.endpoints)
  -f, --format FORMAT        text (default) or json
      --no-cache             ask again even when a recent answer is cached
      --timeout SECONDS      per request (default 10)
      --rules PATH           extra rule file or folder (repeatable)
      --config FILE          configuration file
      --no-config            ignore configuration files
  -h, --help                 show this help

Exit codes: 0 no active token, 1 at least one token is active, 2 usage error.`;

const OPTIONS = {
  token: { type: 'string' },
  rule: { type: 'string' },
  endpoint: { type: 'string', multiple: true, default: [] as string[] },
  format: { type: 'string', short: 'f', default: 'text' },
  cache: { type: 'boolean', default: true },
  timeout: { type: 'string' },
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  // Declared so strict parsing accepts it; parseArgs (allowNegative) reports it as `config: false`.
  'no-config': { type: 'boolean' },
} as const;

const where = (f: Finding) => `${f.origin.path}${f.origin.commit ? `@${f.origin.commit.slice(0, 8)}` : ''}:${f.start.line}:${f.start.column}`;

export function renderVerifyLine(s: VerifiedSecret): string {
  const r = s.result;
  const http = r.httpStatus !== undefined ? `, HTTP ${r.httpStatus}` : '';
  const why = r.status === 'unknown' && r.detail ? `: ${r.detail}` : '';
  const cached = r.cached ? ', cached' : '';
  return `${r.status.padEnd(8)} ${s.rule.provider}: ${s.rule.title} ${s.finding.redacted}  ${where(s.finding)} (${r.host ?? 'no check'}${http}${cached})${why}`;
}

/** Verifies findings with the CLI's cache and client; shared by `verify` and `scan --verify`. */
export async function verifyForCli(
  io: Io,
  findings: readonly Finding[],
  defs: readonly RuleDefinition[],
  endpoints: EndpointOverrides,
  opts: { cache: boolean; timeoutMs?: number | undefined },
): Promise<{ secrets: VerifiedSecret[]; byFingerprint: Map<string, VerifyResult> }> {
  const cache = opts.cache ? createVerifyCache({ file: resolve(io.cwd, '.tokenward/verify-cache.json') }) : undefined;
  const http = new HttpClient({ minIntervalMs: 250, timeoutMs: opts.timeoutMs ?? 10_000 });
  return verifyFindings(findings, defs, { endpoints, http, ...(cache ? { cache } : {}) });
}

export const verifyCommand = defineCommand({
  name: 'verify',
  summary: 'check read-only whether found tokens are still active',
  help: HELP,
  options: OPTIONS,
  async run({ values, positionals }, io) {
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`verify: unknown format "${values.format}" (use text or json)`);
    const timeoutMs = parseTimeout(values.timeout);
    const set = loadRuleSet(io, positionals, configFlags(values));
    const endpoints = endpointsFrom(values.endpoint, set.config);
    const findings = await collectFindings(io, positionals, values.token, values.rule, set, 'verify');
    const { secrets } = await verifyForCli(io, findings, set.defs, endpoints, { cache: values.cache, timeoutMs });
    if (values.format === 'json') {
      const out = secrets.map((s) => ({
        rule: s.rule.id,
        provider: s.rule.provider,
        fingerprint: s.fingerprint,
        redacted: s.finding.redacted,
        locations: s.occurrences.map(where),
        ...s.result,
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
