import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { constants } from 'node:os';
import { loadConfig, loadRules, selectRules } from '@tokenward/project';
import { LineRedactor, type MaskedSecret, type MaskStyle } from '@tokenward/redact';
import type { CompiledRules } from '@tokenward/engine';
import type { Io } from '../cli-util.js';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, EXIT_ERROR, UsageError } from '../errors.js';

const HELP = `Usage: tokenward redact [options]
       tokenward redact [options] --wrap -- COMMAND [ARGS...]

Copy standard input to standard output with every secret the scanner detects masked (the same
masking as reports); every other byte (line endings, colour codes, invalid UTF-8, binary) is
passed through unchanged. Each line is written as soon as it is complete; a line longer than
1 MiB is written in pieces. With --wrap, COMMAND runs with its standard output and standard
error redacted the same way, and its exit code is passed through.

Options:
      --mask STYLE     PARTIAL (default: ghp_****…4Tq1, as reports show it) or FULL (****)
      --report FILE    write what was masked to FILE, one JSON line per secret (rule id and
                       fingerprint only, never the secret)
      --wrap           run the command after "--" with its output redacted
      --rules PATH     extra rule file or folder (repeatable)
      --config FILE    configuration file (its "rules" and "disabledRules" apply; allow-lists
                       and baselines do not: a suppressed secret is still a secret)
      --no-config      ignore configuration files
  -h, --help           show this help

Exit codes: 0 done (whatever was masked), 2 usage error or the input could not be read;
with --wrap: the command's exit code (128 + N when a signal N ended it, 127 when it cannot start).`;

const OPTIONS = {
  mask: { type: 'string', default: 'PARTIAL' },
  report: { type: 'string' },
  wrap: { type: 'boolean', default: false },
  rules: { type: 'string', multiple: true, default: [] as string[] },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
} as const;

/** Writes each secret once (by fingerprint) as a JSON line, as it is masked. Without a report
 * there is no `onMasked`, so no fingerprint (a scrypt each) is computed. */
function reportWriter(file: string | undefined, cwd: string): { onMasked: ((m: MaskedSecret) => void) | undefined; close: () => Promise<void> } {
  if (file === undefined) return { onMasked: undefined, close: async () => {} };
  const out: WriteStream = createWriteStream(resolve(cwd, file));
  const seen = new Set<string>();
  return {
    onMasked(m) {
      const key = `${m.ruleId}\0${m.fingerprint}`;
      if (seen.has(key)) return;
      if (seen.size < 100_000) seen.add(key);
      out.write(`${JSON.stringify(m.part ? { ruleId: m.ruleId, fingerprint: m.fingerprint, part: m.part } : { ruleId: m.ruleId, fingerprint: m.fingerprint })}\n`);
    },
    close: () => new Promise<void>((done) => out.end(done)),
  };
}

/** Pipes `input` through a redactor to `output`, honouring backpressure. */
async function pump(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, redactor: LineRedactor): Promise<void> {
  const write = (b: Buffer) =>
    b.length === 0 || output.write(b) ? Promise.resolve() : new Promise<void>((done) => output.once('drain', done));
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    await write(redactor.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  }
  await write(redactor.end());
}

function loadCompiled(values: { rules: string[]; config?: string | boolean; 'no-config'?: boolean }, io: Io): CompiledRules {
  const noConfig = values.config === false || values['no-config'] === true;
  const config = loadConfig({ cwd: io.cwd, scanRoot: io.cwd, configFile: typeof values.config === 'string' ? values.config : undefined, noConfig });
  const loaded = loadRules([...config.resolved.rules, ...values.rules.map((r) => resolve(io.cwd, r))]);
  return selectRules(config, loaded.defs, loaded.compiled).compiled;
}

async function runWrapped(command: string[], compiled: CompiledRules, mask: MaskStyle, onMasked: ((m: MaskedSecret) => void) | undefined, io: Io): Promise<number> {
  const child = spawn(command[0]!, command.slice(1), { stdio: ['inherit', 'pipe', 'pipe'], env: io.env, cwd: io.cwd });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    const exited = new Promise<number>((done) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        io.stderr.write(`tokenward: redact --wrap: cannot run ${command[0]}: ${e.code === 'ENOENT' ? 'command not found' : e.message}\n`);
        done(127);
      });
      child.once('exit', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
    });
    const out = pump(child.stdout, io.stdout, new LineRedactor(compiled, { mask, onMasked }));
    const err = pump(child.stderr, io.stderr, new LineRedactor(compiled, { mask, onMasked }));
    const code = await exited;
    await Promise.allSettled([out, err]);
    return code;
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}

export const redactCommand = defineCommand({
  name: 'redact',
  summary: 'copy standard input (or a command\'s output, --wrap) with every detected secret masked',
  help: HELP,
  options: OPTIONS,
  passThrough: true,
  async run({ values, positionals, rest: command }, io) {
    if (positionals.length) throw new UsageError(`redact: unexpected argument: ${positionals[0]} (use --wrap -- COMMAND to run a command)`);
    const mask = values.mask.toLowerCase();
    if (mask !== 'partial' && mask !== 'full') throw new UsageError(`redact: --mask must be FULL or PARTIAL, not "${values.mask}"`);
    if (values.wrap && command.length === 0) throw new UsageError('redact: --wrap needs a command after "--" (tokenward redact --wrap -- npm test)');
    if (!values.wrap && command.length) throw new UsageError('redact: a command after "--" needs --wrap');
    const compiled = loadCompiled(values, io);
    const report = reportWriter(values.report, io.cwd);
    try {
      if (values.wrap) return await runWrapped(command, compiled, mask, report.onMasked, io);
      try {
        await pump(io.stdin, io.stdout, new LineRedactor(compiled, { mask, onMasked: report.onMasked }));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EPIPE') return EXIT_CLEAN;
        io.stderr.write(`tokenward: redact: cannot read standard input: ${err.message}\n`);
        return EXIT_ERROR;
      }
      return EXIT_CLEAN;
    } finally {
      await report.close();
    }
  },
});
