import { relative, resolve } from 'node:path';
import { loadConfig, loadRules, ruleSummaries, type RuleSummary } from '@tokenward/project';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, UsageError } from '../errors.js';

const HELP = `Usage: tokenward rules [options]

List the detection rules in use: built-in rules, rules from the configuration ("rules:") and
from --rules (YAML rule files, folders of them, or a gitleaks .gitleaks.toml to import).
For each: id, provider, prefilter keywords, offline checksum, whether a read-only verification
and an automatic revocation exist, and where to rotate the token by hand.

Options:
  -f, --format FORMAT   text (default) or json
      --provider NAME   only rules of this provider (case-insensitive)
      --rules PATH      extra rule file or folder, or a .gitleaks.toml (repeatable)
      --config FILE     configuration file
      --no-config       ignore configuration files
  -h, --help            show this help

Exit codes: 0 listed, 2 usage error or invalid rule file.`;

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  provider: { type: 'string' },
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
} as const;

function table(rows: RuleSummary[]): string {
  const head = ['ID', 'PROVIDER', 'KEYWORDS', 'CHECKSUM', 'VERIFY', 'REVOKE', 'DOCS'];
  const cells = rows.map((r) => [
    r.id,
    r.provider,
    r.detector ? `(file content: ${r.detector})` : r.keywords.join(' '),
    r.checksum ?? '-',
    r.verify ? 'yes' : '-',
    r.revoke ?? '-',
    r.docs ?? '-',
  ]);
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const withChecksum = rows.filter((r) => r.checksum).length;
  const verify = rows.filter((r) => r.verify).length;
  const revoke = rows.filter((r) => r.revoke === 'api').length;
  const providers = new Set(rows.map((r) => r.provider)).size;
  return `${[line(head), ...cells.map(line)].join('\n')}\n\n${rows.length} rules for ${providers} providers: ${withChecksum} with an offline checksum, ${verify} verifiable, ${revoke} revocable through an API (the others: by hand, see DOCS).\n`;
}

export const rulesCommand = defineCommand({
  name: 'rules',
  summary: 'list the detection rules: keywords, checksum, verify/revoke support, docs',
  help: HELP,
  options: OPTIONS,
  run({ values, positionals }, io) {
    if (positionals.length) throw new UsageError(`rules: unexpected argument: ${positionals[0]}`);
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`rules: --format must be text or json, not "${values.format}"`);
    const noConfig = (values as { config?: string | boolean }).config === false || values['no-config'] === true;
    const config = loadConfig({ cwd: io.cwd, scanRoot: io.cwd, configFile: typeof values.config === 'string' ? values.config : undefined, noConfig });
    const { defs } = loadRules([...config.resolved.rules, ...values.rules.map((r) => resolve(io.cwd, r))]);
    let rows = ruleSummaries(defs);
    if (values.provider !== undefined) {
      const want = values.provider.toLowerCase();
      rows = rows.filter((r) => r.provider.toLowerCase() === want);
      if (rows.length === 0) throw new UsageError(`rules: no rules for provider "${values.provider}"`);
    }
    if (values.format === 'json') {
      const out = rows.map((r) => ({ ...r, file: r.file ? relative(io.cwd, r.file) || r.file : null }));
      io.stdout.write(`${JSON.stringify({ rules: out }, null, 2)}\n`);
    } else {
      io.stdout.write(table(rows));
    }
    return EXIT_CLEAN;
  },
});
