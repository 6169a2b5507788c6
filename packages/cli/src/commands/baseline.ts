import { type Command } from '../cli-util.js';
import { EXIT_CLEAN, UsageError } from '../errors.js';
import { DEFAULT_BASELINE_FILE } from '../suppression.js';
import { scanCommandFor } from './scan.js';

const HELP = `Usage: tokenward baseline [options] [PATH...]

Accept the secrets found now: scan PATHs (default: .) like 'tokenward scan' and write every
finding not already hidden by an inline comment, the allow-list or a path ignore to a baseline
file. 'tokenward scan' then hides them (the configuration's "baseline", or --baseline FILE).

A baseline holds fingerprints (a one-way hash of rule id + secret), the rule id, the path and an
optional note: never the secret, nor anything it can be read from. Fingerprints do not depend on
lines, so an accepted secret that moves stays hidden, and a different secret on an accepted line
is reported.

Options:
  -o, --output FILE   baseline file to write (default: "baseline" in the configuration, else
                      ${DEFAULT_BASELINE_FILE}); it is replaced, not merged
                      ('tokenward scan --update-baseline' merges and keeps notes)
      --note TEXT     note stored with every entry (e.g. a ticket or a reason)
  -h, --help          show this help

Every 'tokenward scan' option that selects what is scanned works here too (--config, --rules,
--no-ignore, --max-file-size, --threads, and the git sources such as --history and --staged).

Exit codes: 0 baseline written, 2 usage or runtime error.`;

/** Options this command takes for itself; everything else is handed to `scan`. */
function splitArgs(argv: readonly string[]): { output?: string; note?: string; help: boolean; rest: string[] } {
  const rest: string[] = [];
  let output: string | undefined;
  let note: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`baseline: ${name} needs a value (see 'tokenward baseline --help')`);
      return v;
    };
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '-o' || a === '--output' || a.startsWith('--output=')) output = value('--output');
    else if (a === '--note' || a.startsWith('--note=')) note = value('--note');
    else if (a === '-h' || a === '--help') help = true;
    else if (['--baseline', '--update-baseline', '--no-baseline', '--show-suppressed', '--format', '-f'].includes(a.split('=')[0]!)) {
      throw new UsageError(`baseline: ${a.split('=')[0]} is a 'tokenward scan' option that does not apply here`);
    } else rest.push(a);
  }
  return { output, note, help, rest };
}

export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'accept the current findings: write them to a baseline file (fingerprints only)',
  help: HELP,
  async run(argv, io) {
    const { output, note, help, rest } = splitArgs(argv);
    if (help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT_CLEAN;
    }
    return scanCommandFor({ baselineOutput: { file: output, note } }).run(rest, io);
  },
};
