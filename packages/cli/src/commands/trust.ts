import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { findConfigFile, listTrust, loadRuleDefinitions, projectAuditLog, readProjectConfig, recordTrust, removeTrust, trustState } from '@tokenward/project';
import { parseCommandArgs, type Command, type Io } from '../cli-util.js';
import { EXIT_CLEAN, UsageError } from '../errors.js';

const HELP = `Usage: tokenward trust [FILE]          trust a project configuration (default: the one found upwards)
       tokenward trust --remove [FILE] forget it
       tokenward trust --list          list trusted files and whether they changed since

A repository you scan may hold leaked tokens, so its own .tokenward.yaml cannot choose where
found tokens are sent: its revoke.endpoints and the verify/revoke steps of rule files it names
are ignored (with a warning) until you trust the file, and so is a revoke.auditLog outside its
repository. Trust is recorded by content (SHA-256 of
the file and of every rule file it names) in your own configuration folder
(${'$'}XDG_CONFIG_HOME/tokenward, default ~/.config/tokenward); any change ends it, like direnv
and mise. Review the file first: this command shows the hosts it will be allowed to send tokens to.

Your own configuration (~/.config/tokenward/config.yaml: rules, revoke.endpoints) and the
command line (--endpoint, --rules) need no trust.

Options:
      --remove    forget the file
      --list      list trusted files
  -h, --help      show this help`;

const OPTIONS = {
  remove: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const shown = (file: string, cwd: string) => {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
};

function targetFile(io: Io, given: string | undefined): string {
  if (given !== undefined) {
    const file = resolve(io.cwd, given);
    if (!existsSync(file)) throw new UsageError(`trust: file not found: ${given}`);
    return file;
  }
  const found = findConfigFile(io.cwd);
  if (!found) throw new UsageError('trust: no .tokenward.yaml/.yml/.json here or in a folder above; name the file');
  return found;
}

export const trustCommand: Command = {
  name: 'trust',
  summary: "trust a project's configuration to choose where tokens are sent (endpoints, rule hosts)",
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('trust', argv, OPTIONS);
    if (values.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT_CLEAN;
    }
    if (positionals.length > 1) throw new UsageError('trust: takes one file');
    if (values.list) {
      const records = listTrust(io.env);
      if (!records.length) io.stdout.write('No trusted project configuration.\n');
      for (const r of records) {
        const state = !existsSync(r.file) ? 'missing' : (() => {
          try {
            return trustState(r.file, readProjectConfig(r.file).digest, io.env) === 'trusted' ? 'trusted' : 'changed since (no longer trusted)';
          } catch (e) {
            return `unreadable: ${(e as Error).message}`;
          }
        })();
        io.stdout.write(`${r.file}  ${state}  (trusted ${r.trustedAt})\n`);
      }
      return EXIT_CLEAN;
    }
    const file = targetFile(io, positionals[0]);
    const name = shown(file, io.cwd);
    if (values.remove) {
      io.stdout.write(removeTrust(file, io.env) ? `No longer trusted: ${name}\n` : `${name} was not trusted.\n`);
      return EXIT_CLEAN;
    }
    const { located, ruleFiles, digest } = readProjectConfig(file);
    const lines: string[] = [];
    for (const [key, origin] of Object.entries(located.data.revoke?.endpoints ?? {})) lines.push(`  ${key} → ${origin}   (revoke.endpoints)`);
    for (const d of loadRuleDefinitions(ruleFiles, (m) => io.stderr.write(`tokenward: warning: ${m}\n`))) {
      const hosts = [d.verify && `verify ${new URL(d.verify.origin).host}`, d.revoke && `revoke ${new URL(d.revoke.origin).host}`].filter(Boolean);
      if (hosts.length) lines.push(`  rule ${d.id} (${shown(d.source?.file ?? '?', io.cwd)}): ${hosts.join(', ')}`);
    }
    const audit = projectAuditLog(file, located.data);
    const store = recordTrust(file, digest, io.env);
    io.stdout.write(`Trusted ${name} (sha256 ${digest.slice(0, 16)}…), recorded in ${store}.\n`);
    io.stdout.write(lines.length ? `It may now send found tokens to:\n${lines.join('\n')}\n` : 'It names no endpoint and no rule that contacts a host.\n');
    if (audit && !audit.inside) io.stdout.write(`It may now append revocation records outside its repository, to ${audit.path} (revoke.auditLog).\n`);
    io.stdout.write('Any change to it, or to the rule files it names, ends the trust.\n');
    return EXIT_CLEAN;
  },
};
