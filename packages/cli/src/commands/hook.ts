import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@tokenward/project';
import { parseCommandArgs, type Command, type Io } from '../cli-util.js';
import { EXIT_CLEAN } from '../errors.js';
import { discoverRepo } from '../sources/git.js';

const HELP = `Usage: tokenward hook install [--pre-push] [PATH]
       tokenward hook uninstall [--pre-push] [PATH]

Installs (or removes) a git hook in the repository at PATH (default .):
  pre-commit (default)  runs 'tokenward scan --staged': the commit stops when a secret is staged
  pre-push (--pre-push) runs 'tokenward scan --pre-push': the push stops when a pushed commit
                        holds a secret

The hook goes where git looks for hooks: core.hooksPath when set (husky: the .husky folder),
else .git/hooks. An existing hook is not overwritten: it is kept next to ours as
<hook>.tokenward-chained and runs first; uninstall puts it back.
The hook runs the project's node_modules/.bin/tokenward, else tokenward on PATH, else this
installation. Skip it once with 'git commit --no-verify'.

Options:
      --pre-push   the pre-push hook instead of pre-commit
  -h, --help       show this help`;

const OPTIONS = {
  'pre-push': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** First line after the shebang of every hook we write: how install/uninstall recognise ours. */
export const HOOK_MARKER = '# tokenward-hook';
export const CHAINED_SUFFIX = '.tokenward-chained';

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The hook script. Portable (husky hooks are committed): no absolute path is required. */
export function hookScript(name: 'pre-commit' | 'pre-push'): string {
  const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/tokenward.js');
  const args = name === 'pre-commit' ? 'scan --staged' : 'scan --pre-push';
  const chained = `"$(dirname -- "$0")/${name}${CHAINED_SUFFIX}"`;
  const runChained = (stdin: string) =>
    `if [ -f ${chained} ]; then
  if [ -x ${chained} ]; then ${stdin}${chained} "$@" || exit $?
  else ${stdin}sh ${chained} "$@" || exit $?
  fi
fi`;
  return `#!/bin/sh
${HOOK_MARKER} ${name}: installed by 'tokenward hook install${name === 'pre-push' ? ' --pre-push' : ''}', removed by 'tokenward hook uninstall${name === 'pre-push' ? ' --pre-push' : ''}'.
# A hook that was here before is kept as ${name}${CHAINED_SUFFIX} and runs first.
tokenward_run() {
  root=$(git rev-parse --show-toplevel 2>/dev/null)
  if [ -n "$root" ] && [ -x "$root/node_modules/.bin/tokenward" ]; then "$root/node_modules/.bin/tokenward" "$@"
  elif command -v tokenward >/dev/null 2>&1; then command tokenward "$@"
  elif [ -f ${shellQuote(bin)} ]; then ${shellQuote(process.execPath)} ${shellQuote(bin)} "$@"
  else echo "tokenward: not found (npm install --save-dev @tokenward/cli); skip this check once with --no-verify" >&2; return 2
  fi
}
${
  name === 'pre-commit'
    ? `${runChained('')}
tokenward_run ${args}`
    : `# Git passes the refs being pushed on standard input: both hooks need it.
input=$(cat)
${runChained(`printf '%s\\n' "$input" | `)}
printf '%s\\n' "$input" | tokenward_run ${args}`
}
`;
}

interface HookTarget {
  /** Folder the hook file goes in. */
  dir: string;
  /** Why this folder (for the message). */
  via: string;
}

/** Where git runs hooks from: core.hooksPath (husky) or the git dir's hooks folder. */
async function hookTarget(root: string): Promise<HookTarget> {
  // simple-git for repository plumbing; loaded here only, so `scan --staged` never pays for it.
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: root });
  const configured = (await git.getConfig('core.hooksPath')).value ?? undefined;
  // `--git-path hooks` honours core.hooksPath and worktrees.
  const gitPath = (await git.revparse(['--git-path', 'hooks'])).trim();
  let dir = isAbsolute(gitPath) ? gitPath : resolve(root, gitPath);
  let via = configured ? `core.hooksPath=${configured}` : 'the repository hooks folder';
  // husky 9 points core.hooksPath at .husky/_, which it regenerates; its user hooks are .husky/<name>.
  if (basename(dir) === '_' && basename(dirname(dir)) === '.husky' && existsSync(join(dir, 'h'))) {
    dir = dirname(dir);
    via = 'husky';
  }
  return { dir, via };
}

function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n', 3).some((l) => l.startsWith(HOOK_MARKER));
  } catch {
    return false;
  }
}

export async function installHook(root: string, name: 'pre-commit' | 'pre-push'): Promise<string> {
  const { dir, via } = await hookTarget(root);
  const file = join(dir, name);
  const chained = `${file}${CHAINED_SUFFIX}`;
  const shown = relative(root, file) || file;
  mkdirSync(dir, { recursive: true });
  let note = '';
  if (existsSync(file) && !isOurs(file)) {
    if (existsSync(chained)) throw new UsageError(`hook install: ${shown} exists and so does ${relative(root, chained)}: move one of them away first`);
    renameSync(file, chained);
    note = `; the existing hook is kept as ${relative(root, chained)} and runs first`;
  } else if (existsSync(file)) note = ' (updated)';
  writeFileSync(file, hookScript(name));
  chmodSync(file, 0o755);
  return `installed ${name} hook at ${shown} (${via})${note}`;
}

export async function uninstallHook(root: string, name: 'pre-commit' | 'pre-push'): Promise<string> {
  const { dir } = await hookTarget(root);
  const file = join(dir, name);
  const chained = `${file}${CHAINED_SUFFIX}`;
  const shown = relative(root, file) || file;
  if (!existsSync(file)) return `no ${name} hook at ${shown}: nothing to remove`;
  if (!isOurs(file)) return `${shown} was not installed by tokenward: left alone`;
  rmSync(file);
  if (existsSync(chained)) {
    const mode = statSync(chained).mode;
    renameSync(chained, file);
    chmodSync(file, mode);
    return `removed the tokenward ${name} hook; the previous hook is back at ${shown}`;
  }
  return `removed the tokenward ${name} hook at ${shown}`;
}

export const hookCommand: Command = {
  name: 'hook',
  summary: 'install or remove the git pre-commit / pre-push hook',
  help: HELP,
  async run(argv: string[], io: Io) {
    const { values, positionals } = parseCommandArgs('hook', argv, OPTIONS);
    if (values.help) {
      io.stdout.write(`${HELP}\n`);
      return EXIT_CLEAN;
    }
    const [action, path, ...extra] = positionals;
    if (action !== 'install' && action !== 'uninstall') {
      throw new UsageError(`hook: expected "install" or "uninstall"${action ? `, got "${action}"` : ''} (see 'tokenward hook --help')`);
    }
    if (extra.length) throw new UsageError(`hook ${action}: one repository path at most, got ${extra.length + 1}`);
    const repo = discoverRepo(path ?? '.', io.cwd);
    const name = values['pre-push'] ? 'pre-push' : 'pre-commit';
    const message = action === 'install' ? await installHook(repo.root, name) : await uninstallHook(repo.root, name);
    io.stdout.write(`tokenward: ${message}\n`);
    return EXIT_CLEAN;
  },
};
