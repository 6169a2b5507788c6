import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { UsageError } from '@tokenward/project';
import { defineCommand } from '../command.js';
import { EXIT_CLEAN } from '../errors.js';
import { discoverRepo, porcelain } from '@tokenward/sources';

const HELP = `Usage: tokenward hook install [--pre-push] [PATH]
       tokenward hook uninstall [--pre-push] [PATH]

Installs (or removes) a git hook in the repository at PATH (default .):
  pre-commit (default)  runs 'tokenward scan --staged': the commit stops when a secret is staged
  pre-push (--pre-push) runs 'tokenward scan --pre-push': the push stops when a pushed commit
                        holds a secret

With a hook manager, the manager's own file gets the command:
  husky                 appends '${managerLine('pre-commit')}' to .husky/pre-commit (created if
                        missing; nothing is added twice); commit that file
  lefthook, simple-git-hooks
                        nothing is written (they rewrite .git/hooks): the lines to add to
                        lefthook.yml or package.json are printed
Otherwise the hook goes where git looks for hooks (core.hooksPath, else .git/hooks). An existing
hook is not overwritten: it is kept next to ours as <hook>.tokenward-chained and runs first;
uninstall puts it back. That hook runs the project's node_modules/.bin/tokenward, else tokenward
on PATH. Skip it once with 'git commit --no-verify'.

Options:
      --pre-push   the pre-push hook instead of pre-commit
  -h, --help       show this help`;

const OPTIONS = {
  'pre-push': { type: 'boolean', default: false },
} as const;

/** First line after the shebang of every hook we write: how install/uninstall recognise ours. */
export const HOOK_MARKER = '# tokenward-hook';
export const CHAINED_SUFFIX = '.tokenward-chained';

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

type HookName = 'pre-commit' | 'pre-push';

/** The one command a hook manager's file gets (husky, lefthook, simple-git-hooks). */
export function managerLine(name: HookName): string {
  return name === 'pre-commit' ? 'npx tokenward scan --staged' : 'npx tokenward scan --pre-push';
}

/** The hook script. `local`: the hooks folder is inside .git (never committed), so the script may
 * fall back to this installation's absolute path; a hooks folder in the work tree can be committed,
 * and gets no path of this machine. */
export function hookScript(name: HookName, local = true): string {
  // This installation's @tokenward/cli (resolved, so the published bundle finds it too).
  const bin = resolve(dirname(createRequire(import.meta.url).resolve('@tokenward/cli/main')), '../bin/tokenward.js');
  const fallback = local ? `  elif [ -f ${shellQuote(bin)} ]; then ${shellQuote(process.execPath)} ${shellQuote(bin)} "$@"
` : '';
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
${fallback}  else echo "tokenward: not found in node_modules/.bin or on PATH (see Install in Tokenward's README); skip this check once with --no-verify" >&2; return 2
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
  /** husky's folder of user hooks (committed files that husky's generated hooks run). */
  husky: boolean;
}

/** Where git runs hooks from: core.hooksPath (husky) or the git dir's hooks folder. */
async function hookTarget(root: string): Promise<HookTarget> {
  const git = await porcelain(root);
  const configured = (await git.getConfig('core.hooksPath')).value ?? undefined;
  // `--git-path hooks` honours core.hooksPath and worktrees.
  const gitPath = (await git.revparse(['--git-path', 'hooks'])).trim();
  const dir = isAbsolute(gitPath) ? gitPath : resolve(root, gitPath);
  const husky = join(root, '.husky');
  // husky 9 points core.hooksPath at .husky/_, which it regenerates; husky 5-8 at .husky. Its
  // user hooks are .husky/<name>. A fresh clone has .husky before `npm install` runs husky.
  if (dir === join(husky, '_') || dir === husky || (!configured && isDirectory(husky))) return { dir: husky, via: 'husky', husky: true };
  return { dir, via: configured ? `core.hooksPath=${configured}` : 'the repository hooks folder', husky: false };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n', 3).some((l) => l.startsWith(HOOK_MARKER));
  } catch {
    return false;
  }
}

const LEFTHOOK_FILES = ['lefthook.yml', 'lefthook.yaml', '.lefthook.yml', '.lefthook.yaml', 'lefthook.json', 'lefthook.toml'];
const SIMPLE_GIT_HOOKS_FILES = ['.simple-git-hooks.json', '.simple-git-hooks.js', '.simple-git-hooks.cjs', '.simple-git-hooks.mjs', 'simple-git-hooks.json', 'simple-git-hooks.js', 'simple-git-hooks.cjs', 'simple-git-hooks.mjs'];

/** A hook manager that rewrites .git/hooks from its own file: we print what to add instead. */
function managerAdvice(root: string, name: HookName): string | undefined {
  const line = managerLine(name);
  const lefthook = LEFTHOOK_FILES.find((f) => existsSync(join(root, f)));
  if (lefthook) {
    return `this repository's hooks are managed by lefthook (${lefthook}), which rewrites .git/hooks: nothing was written. Add to ${lefthook}:

${name}:
  commands:
    tokenward:
      run: ${line}

then run: npx lefthook install`;
  }
  let pkgHooks: Record<string, unknown> | undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    if (pkg['simple-git-hooks'] && typeof pkg['simple-git-hooks'] === 'object') pkgHooks = pkg['simple-git-hooks'] as Record<string, unknown>;
  } catch {
    // no package.json, or not JSON: not simple-git-hooks' concern
  }
  const sghFile = SIMPLE_GIT_HOOKS_FILES.find((f) => existsSync(join(root, f)));
  if (pkgHooks || sghFile) {
    const where = pkgHooks ? 'package.json ("simple-git-hooks")' : sghFile!;
    const hook = pkgHooks?.[name];
    const existing = typeof hook === 'string' ? hook : undefined;
    if (existing?.includes(line)) return `simple-git-hooks (${where}) already runs "${line}" in ${name}: nothing to do (npx simple-git-hooks applies it)`;
    const command = existing ? `${existing} && ${line}` : line;
    return `this repository's hooks are managed by simple-git-hooks (${where}), which rewrites .git/hooks: nothing was written. Set its "${name}" entry to:

"${name}": ${JSON.stringify(command)}

then run: npx simple-git-hooks`;
  }
  return undefined;
}

/** husky: one line in the committed .husky/<name>, nothing else (no paths of this machine). */
function installHusky(root: string, dir: string, name: HookName): string {
  const file = join(dir, name);
  const shown = relative(root, file);
  const line = managerLine(name);
  let note = '';
  // An earlier tokenward wrote a whole script here: put the user's hook back first.
  if (isOurs(file)) {
    rmSync(file);
    if (existsSync(`${file}${CHAINED_SUFFIX}`)) renameSync(`${file}${CHAINED_SUFFIX}`, file);
    note = ' (replacing the script an earlier tokenward wrote)';
  }
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // husky 5-8 run the file itself (it needs its shebang and husky.sh); husky 9 runs it with sh.
    const legacy = existsSync(join(dir, '_', 'husky.sh')) ? '#!/usr/bin/env sh\n. "$(dirname -- "$0")/_/husky.sh"\n\n' : '';
    writeFileSync(file, `${legacy}${line}\n`);
    chmodSync(file, 0o755);
    return `created ${shown} (husky) with "${line}"${note}; commit it`;
  }
  const text = readFileSync(file, 'utf8');
  if (text.split(/\r?\n/).some((l) => l.trim() === line)) return `${shown} (husky) already runs "${line}": nothing to do`;
  writeFileSync(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
  return `added "${line}" to ${shown} (husky)${note}; commit it`;
}

function uninstallHusky(root: string, dir: string, name: HookName): string {
  const file = join(dir, name);
  const shown = relative(root, file);
  const line = managerLine(name);
  if (!existsSync(file)) return `no ${name} hook at ${shown}: nothing to remove`;
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const kept = lines.filter((l) => l.replace(/\r$/, '').trim() !== line);
  if (kept.length === lines.length) return `${shown} does not run "${line}": left alone`;
  writeFileSync(file, kept.join('\n'));
  return `removed "${line}" from ${shown} (husky)`;
}

export async function installHook(root: string, name: HookName): Promise<string> {
  const advice = managerAdvice(root, name);
  if (advice) return advice;
  const { dir, via, husky } = await hookTarget(root);
  if (husky) return installHusky(root, dir, name);
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
  // A hooks folder outside .git (core.hooksPath=.githooks) may be committed: no absolute paths.
  const rel = relative(root, dir);
  const inWorkTree = !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(/[\\/]/).includes('.git');
  writeFileSync(file, hookScript(name, !inWorkTree));
  chmodSync(file, 0o755);
  return `installed ${name} hook at ${shown} (${via})${note}`;
}

export async function uninstallHook(root: string, name: HookName): Promise<string> {
  const { dir, husky } = await hookTarget(root);
  if (husky) return uninstallHusky(root, dir, name);
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

/** What a person does after a blocked commit or push (printed by `scan --staged` / `--pre-push`
 * when it finds secrets). `paths`: the files holding them, for the revoke command. */
export function blockedAdvice(kind: 'commit' | 'push', paths: readonly string[]): string {
  const unique = [...new Set(paths)];
  const files = unique.length > 0 && unique.length <= 3 ? unique.map((p) => shellWord(p)).join(' ') : '<file>';
  const removeIt =
    kind === 'commit'
      ? 'remove it: read it from an environment variable or a secret store instead, then git add the file again'
      : 'remove it from the commits being pushed (git commit --amend, or git rebase -i for older ones)';
  return `tokenward: ${kind} blocked. What to do next:
  - ${removeIt}
  - not a secret (test data, a documented example)? add a comment on its line: tokenward:allow <reason>
  - accept what is there now: tokenward baseline${kind === 'commit' ? ' --staged' : ''} --note "<reason>", then commit .tokenward-baseline.json
  - if it was pushed or shared, revoke it: tokenward revoke ${files} (shows the plan; --yes revokes)
  - skip the check once: git ${kind} --no-verify
`;
}

const shellWord = (s: string): string => (/^[\w./@%+=:,-]+$/.test(s) ? s : shellQuote(s));

export const hookCommand = defineCommand({
  name: 'hook',
  summary: 'install or remove the git pre-commit / pre-push hook',
  help: HELP,
  options: OPTIONS,
  async run({ values, positionals }, io) {
    const [action, path, ...extra] = positionals;
    if (action !== 'install' && action !== 'uninstall') {
      throw new UsageError(`hook: expected "install" or "uninstall"${action ? `, got "${action}"` : ''} (see 'tokenward hook --help')`);
    }
    if (extra.length) throw new UsageError(`hook ${action}: one repository path at most, got ${extra.length + 1}`);
    const repo = discoverRepo(path ?? '.', io.cwd, io.env);
    const name = values['pre-push'] ? 'pre-push' : 'pre-commit';
    const message = action === 'install' ? await installHook(repo.root, name) : await uninstallHook(repo.root, name);
    io.stdout.write(`tokenward: ${message}\n`);
    return EXIT_CLEAN;
  },
});
