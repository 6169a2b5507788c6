#!/usr/bin/env node
// `npm run format`: prettier on the files this branch changed (against the merge base with main,
// plus uncommitted ones), never the whole tree: a wholesale reformat would conflict with every
// branch in flight. `npm run format -- --check` only reports; `npm run format -- FILE...` formats
// the files named.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const check = args.includes('--check');
let files = args.filter((a) => a !== '--check');
if (files.length === 0) {
  const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  const base = git('merge-base', 'HEAD', 'main')[0];
  files = [
    ...new Set([
      ...(base ? git('diff', '--name-only', '--diff-filter=ACMR', base) : []),
      ...git('diff', '--name-only', '--diff-filter=ACMR', 'HEAD'),
      ...git('ls-files', '--others', '--exclude-standard'),
    ]),
  ];
  files = files.filter((f) => /\.(m?[jt]s|json|md|ya?ml)$/.test(f) && existsSync(f));
}
if (files.length === 0) process.exit(0);
const r = spawnSync(process.execPath, ['node_modules/prettier/bin/prettier.cjs', check ? '--check' : '--write', '--ignore-unknown', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 2);
