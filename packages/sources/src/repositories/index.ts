export { type RepositoryRef, type ListingSource, ListingError, normalizeRepositoryUrl, displayName } from './types.js';
export { readRepositoryList, parseRepositoryList } from './list-file.js';
export { fetchPages, nextLink, checkApiBase, ApiError, type PagedApiOptions } from './paged-api.js';
export { listGitHubRepositories, GITHUB_API, type GitHubListOptions } from './github.js';
export { listGitLabRepositories, GITLAB_API, type GitLabListOptions } from './gitlab.js';
