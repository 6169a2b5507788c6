import type { Command } from '../cli-util.js';

/** A command as listed by `tokenward --help`; its module is imported only when it runs, so
 * `tokenward scan` never pays for loading the language server or the revocation client. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `tokenward --help` lists them. Add new commands here. */
export const COMMANDS: CommandEntry[] = [
  { name: 'scan', summary: 'scan files, folders or standard input for leaked tokens', load: async () => (await import('./scan.js')).scanCommand },
  { name: 'baseline', summary: 'accept the current findings: write them to a baseline file (fingerprints only)', load: async () => (await import('./baseline.js')).baselineCommand },
  { name: 'init', summary: 'write a commented starter .tokenward.yaml', load: async () => (await import('./init.js')).initCommand },
  { name: 'verify', summary: 'check read-only whether found tokens are still active, and what live ones reach', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'revoke', summary: 'revoke leaked tokens through provider APIs (plan first; --yes to act)', load: async () => (await import('./revoke.js')).revokeCommand },
  { name: 'trust', summary: "trust a project's configuration to choose where tokens are sent", load: async () => (await import('./trust.js')).trustCommand },
  { name: 'rules', summary: 'list the detection rules: keywords, checksum, verify/revoke support, docs', load: async () => (await import('./rules.js')).rulesCommand },
  { name: 'lsp', summary: 'run the language server for editors (tokenward lsp --stdio)', load: async () => (await import('./lsp.js')).lspCommand },
  { name: 'redact', summary: 'copy standard input (or a command\'s output, --wrap) with every detected secret masked', load: async () => (await import('./redact.js')).redactCommand },
  { name: 'hook', summary: 'install or remove the git pre-commit / pre-push hook', load: async () => (await import('./hook.js')).hookCommand },
  { name: 'org', summary: 'scan every repository of an organisation (in-process, Redis queue or CI shards) into one report', load: async () => (await import('./org.js')).orgCommand },
  { name: 'worker', summary: 'scan repositories from the Redis queue of \'tokenward org enqueue\'', load: async () => (await import('./worker.js')).workerCommand },
];
