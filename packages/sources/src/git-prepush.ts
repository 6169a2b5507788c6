import { UsageError } from '@tokenward/project';
import { gitSync, isZeroSha, type GitRepo } from './git.js';

/**
 * What a push sends, as `git log` revision arguments. Git gives a pre-push hook one line per ref
 * on standard input: `<local ref> <local sha> <remote ref> <remote sha>`. The pre-commit
 * framework gives the same as PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead.
 *
 * - deleting a ref (local sha all zeros): nothing to scan;
 * - updating a ref the remote has (remote sha known here): `remote..local`;
 * - a new ref, or a remote sha we do not have (force push over unfetched work): everything not
 *   already on any remote-tracking branch (`local --not --remotes`).
 * Returns undefined when nothing is pushed.
 */
export function prePushRevisions(repo: GitRepo, input: string, env: NodeJS.ProcessEnv): string[] | undefined {
  const updates: Array<{ local: string; remote: string }> = [];
  if (env.PRE_COMMIT_TO_REF) {
    updates.push({ local: env.PRE_COMMIT_TO_REF, remote: env.PRE_COMMIT_FROM_REF ?? '' });
  } else if (env.PRE_COMMIT_LOCAL_BRANCH && !input.trim()) {
    // pre-commit pushing a branch down to its root commit sets no range, only the local branch.
    updates.push({ local: env.PRE_COMMIT_LOCAL_BRANCH, remote: '' });
  } else {
    const lines = input.split('\n');
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      const parts = line.split(/\s+/);
      const hex = /^[0-9a-f]{40,64}$/i;
      if (parts.length !== 4 || !hex.test(parts[1]!) || !hex.test(parts[3]!)) {
        throw new UsageError(`--pre-push: line ${i + 1} of standard input is not "<local ref> <local sha> <remote ref> <remote sha>": ${line.slice(0, 120)}`);
      }
      updates.push({ local: parts[1]!, remote: parts[3]! });
    });
  }
  const positive: string[] = [];
  const negative: string[] = [];
  let notOnRemotes = false;
  for (const u of updates) {
    if (isZeroSha(u.local)) continue;
    if (gitSync(['cat-file', '-e', `${u.local}^{commit}`], repo).status !== 0) {
      throw new UsageError(`--pre-push: unknown revision "${u.local}": the commit being pushed is not in ${repo.root}`);
    }
    positive.push(u.local);
    if (u.remote && !isZeroSha(u.remote) && gitSync(['cat-file', '-e', `${u.remote}^{commit}`], repo).status === 0) negative.push(`^${u.remote}`);
    else notOnRemotes = true;
  }
  if (positive.length === 0) return undefined;
  return [...positive, ...negative, ...(notOnRemotes ? ['--not', '--remotes'] : [])];
}

/**
 * What a push adds to a repository, as `git log` revision arguments, from a pre-receive hook's
 * standard input (`<old sha> <new sha> <ref>` per ref). The refs are not updated yet while the
 * hook runs, so the new tips minus everything any ref reaches are exactly the commits the push
 * brings: a new branch, a fast-forward and a force-push alike. Undefined when nothing is added
 * (only deletions).
 */
export function preReceiveRevisions(repo: GitRepo, input: string): string[] | undefined {
  const tips = new Set<string>();
  input.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    const hex = /^[0-9a-f]{40,64}$/i;
    if (parts.length !== 3 || !hex.test(parts[0]!) || !hex.test(parts[1]!)) {
      throw new UsageError(`--pre-receive: line ${i + 1} of standard input is not "<old sha> <new sha> <ref>": ${line.slice(0, 120)}`);
    }
    if (isZeroSha(parts[1]!)) return;
    if (gitSync(['cat-file', '-e', `${parts[1]}^{commit}`], repo).status !== 0) return; // a tag of a blob or tree: no commits
    tips.add(parts[1]!);
  });
  return tips.size ? [...tips, '--not', '--all'] : undefined;
}
