import { startStdioServer } from '@tokenward/language-server';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';

const HELP = `Usage: tokenward lsp --stdio

Run the Tokenward language server on standard input/output, for any editor with an LSP client
(VS Code, Neovim, Emacs, Helix, Vim, ...). Leaked tokens appear as diagnostics while you type, with
code actions to revoke a token, move it to an environment variable, ignore the line or add it to
the baseline. Same rules, inline ignores and baseline as 'tokenward scan'.

Options:
      --stdio     talk LSP over standard input/output (the only transport)
      --rules-dir DIR   built-in rules folder (default: the rules shipped with Tokenward)
  -h, --help      show this help`;

const OPTIONS = {
  stdio: { type: 'boolean', default: false },
  'rules-dir': { type: 'string' },
} as const;

export const lspCommand = defineCommand({
  name: 'lsp',
  summary: 'run the language server for editors (tokenward lsp --stdio)',
  help: HELP,
  options: OPTIONS,
  async run({ values }, io) {
    if (!values.stdio) throw new UsageError("lsp: pass --stdio (the language server talks LSP over standard input/output)");
    const rulesDir = values['rules-dir'];
    return startStdioServer({ input: io.stdin, output: io.stdout, ...(rulesDir ? { rulesDir } : {}) });
  },
});
