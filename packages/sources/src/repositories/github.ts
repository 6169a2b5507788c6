import { ApiError, checkApiBase, fetchPages, type PagedApiOptions } from './paged-api.js';
import { ListingError, type RepositoryRef } from './types.js';

export const GITHUB_API = 'https://api.github.com';

export interface GitHubListOptions extends Omit<PagedApiOptions, 'headers'> {
  /** An organisation (`GET /orgs/{org}/repos`) or a user (`GET /users/{user}/repos`). */
  owner: { org: string } | { user: string };
  /** API base: https://api.github.com, or GitHub Enterprise Server's https://HOST/api/v3. */
  apiUrl?: string;
  /** GITHUB_TOKEN: private repositories and a 5,000/hour rate limit instead of 60. */
  token?: string;
  includeArchived?: boolean;
  includeForks?: boolean;
}

interface GitHubRepo {
  full_name: string;
  clone_url: string;
  archived?: boolean;
  fork?: boolean;
  disabled?: boolean;
}

/** Every repository of a GitHub organisation or user, filtered (archived kept, forks left out by default). */
export async function listGitHubRepositories(options: GitHubListOptions): Promise<RepositoryRef[]> {
  const base = checkApiBase(options.apiUrl ?? GITHUB_API, 'GitHub API URL');
  const [kind, name] = 'org' in options.owner ? ['orgs', options.owner.org] : ['users', options.owner.user];
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new ListingError(`not a GitHub ${kind === 'orgs' ? 'organisation' : 'user'} name: "${name}"`);
  const first = new URL(`${base.href.replace(/\/$/, '')}/${kind}/${encodeURIComponent(name)}/repos`);
  first.searchParams.set('per_page', '100');
  first.searchParams.set('type', kind === 'orgs' ? 'all' : 'owner');
  const headers: Record<string, string> = { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const out: RepositoryRef[] = [];
  try {
    for await (const page of fetchPages<GitHubRepo>(first, { ...options, headers })) {
      for (const r of page) {
        if (typeof r?.clone_url !== 'string' || typeof r.full_name !== 'string') throw new ListingError(`${base.host}: a repository entry without clone_url/full_name`);
        if (r.disabled) continue;
        if (r.archived && options.includeArchived === false) continue;
        if (r.fork && !options.includeForks) continue;
        out.push({ url: r.clone_url, name: r.full_name, source: 'github', archived: Boolean(r.archived), fork: Boolean(r.fork) });
      }
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new ListingError(`GitHub ${kind === 'orgs' ? 'organisation' : 'user'} "${name}" not found at ${base.host}${kind === 'orgs' ? ' (for a user account use --github-user)' : ''}`);
    if (e instanceof ApiError && e.status === 401) throw new ListingError(`${base.host} rejected the token (401): check GITHUB_TOKEN`);
    throw e;
  }
  return out;
}
