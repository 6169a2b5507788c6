import { ApiError, checkApiBase, fetchPages, type PagedApiOptions } from './paged-api.js';
import { ListingError, type RepositoryRef } from './types.js';

export const GITLAB_API = 'https://gitlab.com/api/v4';

export interface GitLabListOptions extends Omit<PagedApiOptions, 'headers'> {
  /** Group id or full path (`my-group/sub-group`). */
  group: string;
  /** API base: https://gitlab.com/api/v4, or a self-managed instance's https://HOST/api/v4. */
  apiUrl?: string;
  /** GITLAB_TOKEN (sent as PRIVATE-TOKEN). */
  token?: string;
  /** Projects of subgroups too (`include_subgroups=true`). Default true. */
  includeSubgroups?: boolean;
  includeArchived?: boolean;
  includeForks?: boolean;
}

interface GitLabProject {
  path_with_namespace: string;
  http_url_to_repo: string;
  archived?: boolean;
  forked_from_project?: unknown;
}

/** Every project of a GitLab group (`GET /groups/:id/projects`), subgroups included by default. */
export async function listGitLabRepositories(options: GitLabListOptions): Promise<RepositoryRef[]> {
  const base = checkApiBase(options.apiUrl ?? GITLAB_API, 'GitLab API URL');
  if (!options.group || /\s/.test(options.group)) throw new ListingError(`not a GitLab group: "${options.group}"`);
  const first = new URL(`${base.href.replace(/\/$/, '')}/groups/${encodeURIComponent(options.group)}/projects`);
  first.searchParams.set('per_page', '100');
  first.searchParams.set('include_subgroups', String(options.includeSubgroups !== false));
  // Stable order across pages while projects are being created.
  first.searchParams.set('order_by', 'id');
  first.searchParams.set('sort', 'asc');
  if (options.includeArchived === false) first.searchParams.set('archived', 'false');
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.token) headers['PRIVATE-TOKEN'] = options.token;
  const out: RepositoryRef[] = [];
  try {
    for await (const page of fetchPages<GitLabProject>(first, { ...options, headers })) {
      for (const p of page) {
        if (typeof p?.http_url_to_repo !== 'string' || typeof p.path_with_namespace !== 'string') throw new ListingError(`${base.host}: a project entry without http_url_to_repo/path_with_namespace`);
        const fork = p.forked_from_project !== undefined && p.forked_from_project !== null;
        if (p.archived && options.includeArchived === false) continue;
        if (fork && !options.includeForks) continue;
        out.push({ url: p.http_url_to_repo, name: p.path_with_namespace, source: 'gitlab', archived: Boolean(p.archived), fork });
      }
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new ListingError(`GitLab group "${options.group}" not found at ${base.host}`);
    if (e instanceof ApiError && e.status === 401) throw new ListingError(`${base.host} rejected the token (401): check GITLAB_TOKEN`);
    throw e;
  }
  return out;
}
