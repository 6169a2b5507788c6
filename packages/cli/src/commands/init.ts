import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE_NAMES, findConfigFile, starterConfig } from '@tokenward/project';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN, UsageError } from '../errors.js';

const HELP = `Usage: tokenward init [options] [DIR]

Write a commented starter configuration, ${CONFIG_FILE_NAMES[0]}, in DIR (default: .). Every key is
explained in the file and in the README ("Configuration").

Options:
      --force     overwrite an existing configuration file
  -h, --help      show this help

Exit codes: 0 written, 2 a configuration already exists (use --force) or usage error.`;

const OPTIONS = {
  force: { type: 'boolean', default: false },
} as const;

export const initCommand = defineCommand({
  name: 'init',
  summary: `write a commented starter ${CONFIG_FILE_NAMES[0]}`,
  help: HELP,
  options: OPTIONS,
  run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError('init: takes at most one folder');
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    if (!existsSync(dir)) throw new UsageError(`init: folder not found: ${positionals[0]}`);
    const target = join(dir, CONFIG_FILE_NAMES[0]);
    if (!values.force) {
      const existing = CONFIG_FILE_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
      if (existing) throw new UsageError(`init: ${existing} already exists (use --force to overwrite)`);
    }
    writeFileSync(target, starterConfig());
    io.stdout.write(`wrote ${target}\n`);
    // A configuration in a parent folder is shadowed by the new one: say so.
    const parent = findConfigFile(resolve(dir, '..'));
    if (parent) io.stderr.write(`tokenward: note: ${parent} applies no longer to this folder (the nearest configuration wins)\n`);
    return EXIT_CLEAN;
  },
});
