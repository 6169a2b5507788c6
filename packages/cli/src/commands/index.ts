import type { Command } from '../cli-util.js';
import { scanCommand } from './scan.js';

/** Every subcommand, in the order `tokenward --help` lists them. Add new commands here. */
export const COMMANDS: Command[] = [scanCommand];
