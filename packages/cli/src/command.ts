import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command, Io } from './cli-util.js';
import { EXIT_CLEAN, UsageError } from './errors.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** What a command's handler gets: parsed options, positionals, and the arguments as given. */
export interface CommandInput<O extends OptionsConfig> {
  values: Parsed<O>['values'];
  positionals: string[];
  /** The arguments after `normalize` (to tell `--no-config` from `--config`). */
  argv: string[];
  /** With `passThrough`: the arguments after `--`, unparsed (a command to run). */
  rest: string[];
}

export interface CommandDefinition<O extends OptionsConfig> {
  name: string;
  summary: string;
  help: string;
  /** node:util parseArgs options; `-h, --help` is added. */
  options: O;
  /** Rewrites the arguments before parsing (a bare `--redact`). */
  normalize?: (argv: string[]) => string[];
  /** Arguments after `--` are not parsed but handed over as `rest` (a command to run). */
  passThrough?: boolean;
  run(input: CommandInput<O>, io: Io): number | Promise<number>;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

/** node:util parseArgs (with --no-X negation); its errors become usage errors naming the command. */
export function parseCommandArgs<O extends OptionsConfig>(command: string, argv: string[], options: O): Parsed<O> {
  try {
    const config = { args: argv, options, allowPositionals: true, strict: true, allowNegative: true } as ParseArgsConfig;
    return parseArgs(config) as unknown as Parsed<O>;
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.replace(/^.*?: /, '')} (see 'tokenward ${command} --help')`);
  }
}

/**
 * A subcommand from its name, options, help and handler: every command parses, answers --help
 * and reports a bad option the same way, and its handler only does its own work.
 */
export function defineCommand<O extends OptionsConfig>(def: CommandDefinition<O>): Command {
  const options: O & typeof HELP_OPTION = { ...def.options, ...HELP_OPTION };
  return {
    name: def.name,
    summary: def.summary,
    help: def.help,
    async run(rawArgv: string[], io: Io): Promise<number> {
      const dashes = def.passThrough ? rawArgv.indexOf('--') : -1;
      const own = dashes >= 0 ? rawArgv.slice(0, dashes) : rawArgv;
      const argv = def.normalize ? def.normalize(own) : own;
      const { values, positionals } = parseCommandArgs(def.name, argv, options);
      if ((values as { help?: boolean }).help) {
        io.stdout.write(`${def.help}\n`);
        return EXIT_CLEAN;
      }
      return await def.run({ values, positionals, argv, rest: dashes >= 0 ? rawArgv.slice(dashes + 1) : [] }, io);
    },
  };
}
