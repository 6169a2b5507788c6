/**
 * Repository listings: where the list of repositories to scan comes from (a list file, a GitHub
 * organisation or user, a GitLab group). Self-contained (Node and fetch only), so these modules can
 * move into the sources package as they are.
 */

export type ListingSource = 'list' | 'github' | 'gitlab';

/** One repository to scan. */
export interface RepositoryRef {
  /** What git clones: an https/ssh/file URL or an absolute path. Never carries credentials. */
  url: string;
  /** Shown in reports: `owner/name` for providers, the URL's last segments for list entries. */
  name: string;
  /** Which listing produced it: it also chooses the token a worker clones with (GITHUB_TOKEN, GITLAB_TOKEN). */
  source: ListingSource;
  archived?: boolean;
  fork?: boolean;
}

/** A listing error a user can fix (unknown organisation, bad token, bad list line). */
export class ListingError extends Error {
  override name = 'ListingError';
}

/** Lowercase host, no trailing slash or `.git`: the same repository listed twice is one. */
export function normalizeRepositoryUrl(url: string): string {
  let u = url.trim().replace(/\/+$/, '').replace(/\.git$/i, '');
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/]*)(.*)$/i.exec(u);
  if (m) u = `${m[1]!.toLowerCase()}${m[2]!.toLowerCase()}${m[3]}`;
  else {
    // scp-like git@host:path
    const scp = /^([^@/:]+@)?([^/:]+):(.*)$/.exec(u);
    if (scp) u = `${scp[1] ?? ''}${scp[2]!.toLowerCase()}:${scp[3]}`;
  }
  return u;
}

/** The last two path segments, without `.git`: `owner/name`. */
export function displayName(url: string): string {
  const parts = normalizeRepositoryUrl(url).split(/[/:]/).filter(Boolean);
  return parts.slice(-2).join('/');
}
