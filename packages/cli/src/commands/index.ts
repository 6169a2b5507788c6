import type { Command } from '../cli-util.js';
import { scanCommand } from './scan.js';
import { baselineCommand } from './baseline.js';
import { initCommand } from './init.js';
import { verifyCommand } from './verify.js';
import { revokeCommand } from './revoke.js';
import { lspCommand } from './lsp.js';
import { hookCommand } from './hook.js';

/** Every subcommand, in the order `tokenward --help` lists them. Add new commands here. */
export const COMMANDS: Command[] = [scanCommand, baselineCommand, initCommand, verifyCommand, revokeCommand, lspCommand, hookCommand];
