import { RuleFileError } from '@tokenward/engine';
import { processIo, toolVersion, type Io } from './cli-util.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_CLEAN, EXIT_ERROR, UsageError } from './errors.js';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: tokenward <command> [options]

Find leaked tokens in code, logs, URLs and git history.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -v, --version  print the version
  -h, --help     show this help ('tokenward <command> --help' for a command)

Exit codes: 0 clean, 1 secrets found (or an action failed), 2 usage or runtime error.`;
}

/** Runs the CLI and returns its exit code. Errors a user can cause become one line on stderr. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0]) return main([rest[0], '--help'], io);
    io.stdout.write(`${mainHelp()}\n`);
    return EXIT_CLEAN;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${toolVersion()}\n`);
    return EXIT_CLEAN;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  try {
    if (!entry) throw new UsageError(`unknown command "${first}" (see 'tokenward --help')`);
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof RuleFileError) {
      io.stderr.write(`tokenward: ${e.message}\n`);
      return EXIT_ERROR;
    }
    const err = e as Error;
    io.stderr.write(`tokenward: ${err.message}\n`);
    if (io.env.TOKENWARD_DEBUG) io.stderr.write(`${err.stack ?? ''}\n`);
    return EXIT_ERROR;
  }
}
