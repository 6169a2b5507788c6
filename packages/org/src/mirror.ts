import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RepositoryRef } from '@tokenward/sources';
import type { RefTips } from '@tokenward/sources';
import { runGitAsync } from '@tokenward/sources';

/**
 * Local bare mirrors of the repositories: cloned once, fetched afterwards. Only branches and tags
 * are mirrored (`refs/heads/*`, `refs/tags/*`, pruned like `git clone --mirror`), not every ref:
 * GitHub's `refs/pull/*` alone would add every pull request ever opened.
 */

const REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
/** A stalled transfer fails instead of holding a worker forever. */
const TRANSFER_LIMITS = ['-c', 'http.lowSpeedLimit=1000', '-c', 'http.lowSpeedTime=120'];

export class GitError extends Error {
  override name = 'GitError';
}

/** Runs git through the sources' git module; its complaint (`fatal: …`) becomes the error. */
async function git(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; timeoutMs?: number; input?: string }): Promise<string> {
  const r = await runGitAsync(args, options.cwd, options);
  if (r.status === 0) return r.stdout.toString('utf8');
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const why = lines.find((l) => /^(fatal|error): /.test(l)) ?? lines[0] ?? r.error?.message ?? (r.status === null ? 'git was stopped (timeout)' : `git exited with ${r.status}`);
  throw new GitError(why.replace(/^(fatal|error): /, ''));
}

/**
 * Environment for git talking to `repo`'s host: no terminal prompt (a private repository without
 * credentials fails at once instead of waiting), and for GitHub / GitLab listings over https the
 * token from GITHUB_TOKEN / GITLAB_TOKEN as an HTTP header scoped to that host, passed through
 * GIT_CONFIG_* variables: never on a command line, in the queue or in the mirror's config.
 */
export function gitEnvFor(repo: RepositoryRef, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0' };
  const token = repo.source === 'github' ? env.GITHUB_TOKEN : repo.source === 'gitlab' ? env.GITLAB_TOKEN : undefined;
  if (!token || !repo.url.startsWith('https://')) return out;
  const user = repo.source === 'github' ? 'x-access-token' : 'oauth2';
  const n = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  out.GIT_CONFIG_COUNT = String(n + 1);
  out[`GIT_CONFIG_KEY_${n}`] = `http.${new URL(repo.url).origin}/.extraheader`;
  out[`GIT_CONFIG_VALUE_${n}`] = `AUTHORIZATION: basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  return out;
}

/** The tips of a remote's branches and tags, without cloning (`git ls-remote`). */
export async function remoteTips(repo: RepositoryRef, env: NodeJS.ProcessEnv): Promise<RefTips> {
  const out = await git([...TRANSFER_LIMITS, 'ls-remote', '--refs', repo.url, 'refs/heads/*', 'refs/tags/*'], { env: gitEnvFor(repo, env), timeoutMs: 120_000 });
  return parseRefLines(out, '\t');
}

function parseRefLines(text: string, sep: string): RefTips {
  const tips: RefTips = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (i > 0) tips[line.slice(i + 1).trim()] = line.slice(0, i).trim();
  }
  return tips;
}

/** Clones `repo` as a bare mirror at `dir`, or fetches it when the mirror exists. */
export async function syncMirror(repo: RepositoryRef, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const genv = gitEnvFor(repo, env);
  if (!existsSync(join(dir, 'HEAD'))) {
    // Cloned beside and renamed, so a worker killed mid-clone leaves no half mirror behind.
    mkdirSync(dirname(dir), { recursive: true });
    const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    try {
      // A bare clone maps branches to branches itself; --config adds the tags to that same fetch.
      await git([...TRANSFER_LIMITS, 'clone', '--bare', '--quiet', '--no-tags', '--config', `remote.origin.fetch=${REFSPECS[1]}`, repo.url, tmp], { env: genv });
      // Another job on this machine may have cloned it meanwhile: then its mirror is used.
      if (existsSync(join(dir, 'HEAD'))) rmSync(tmp, { recursive: true, force: true });
      else {
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
      }
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw new GitError(`cannot clone ${repo.url}: ${(e as Error).message}`);
    }
    return;
  }
  try {
    // The URL from the listing, not the mirror's config: a moved repository is followed.
    await git([...TRANSFER_LIMITS, 'fetch', '--quiet', '--prune', repo.url, ...REFSPECS], { cwd: dir, env: genv });
  } catch (e) {
    throw new GitError(`cannot fetch ${repo.url}: ${(e as Error).message}`);
  }
}

/** The mirror's branches and tags, and the commit HEAD (the default branch) points to. */
export async function mirrorTips(dir: string, env: NodeJS.ProcessEnv): Promise<{ tips: RefTips; head?: string }> {
  const tips = parseRefLines(await git(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads', 'refs/tags'], { cwd: dir, env }), ' ');
  // A bare mirror's HEAD names the default branch (`ref: refs/heads/main`): read, not spawned.
  const m = /^ref: (\S+)/.exec(readFileSync(join(dir, 'HEAD'), 'utf8'));
  const head = m ? tips[m[1]!] : undefined;
  return head ? { tips, head } : { tips };
}

/** Which of `shas` exist in the mirror (`git cat-file --batch-check`). */
export async function presentObjects(dir: string, shas: readonly string[], env: NodeJS.ProcessEnv): Promise<Set<string>> {
  if (shas.length === 0) return new Set();
  const out = await git(['cat-file', '--batch-check=%(objectname)'], { cwd: dir, env, input: `${shas.join('\n')}\n` });
  return new Set(out.split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l)));
}
