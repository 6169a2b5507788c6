#!/usr/bin/env node
/**
 * Standalone entry: `tokenward-language-server --stdio [--rules-dir DIR]`. The VS Code extension
 * bundles this file, with the rules copied beside it.
 */
import { startStdioServer } from './stdio.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--rules-dir');
const rulesDir = at >= 0 ? argv[at + 1] : process.env.TOKENWARD_RULES_DIR;

startStdioServer(rulesDir ? { rulesDir } : {}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`tokenward-language-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
