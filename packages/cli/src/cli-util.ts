import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Kept here too for commands written before command.ts. */
export { parseCommandArgs } from './command.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() });

/** A subcommand: its own help text and an entry point returning the exit code. */
export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Colour unless NO_COLOR / --no-color, or output is not a terminal (FORCE_COLOR forces it). */
export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean } | undefined, env: NodeJS.ProcessEnv): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream?.isTTY);
}

/** Parses sizes like `10MB`, `512k`, `1048576`. */
export function parseSize(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`${flag}: not a size: ${value} (e.g. 500KB, 10MB)`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}
