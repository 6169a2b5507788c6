/**
 * @tokenward/org: scanning every repository of an organisation. Listings (list file, GitHub,
 * GitLab) → one job per repository (bare mirror, only commits not scanned before, redacted
 * findings) → run on a BullMQ queue, in-process, or as CI matrix shards → one merged report
 * (JSON, SARIF, HTML triage page). The queue (BullMQ, Redis) is `@tokenward/org/queue`, loaded
 * only by the commands that use it.
 */
// Repository listings live in @tokenward/sources (sources of repositories, as files are of chunks).
export {
  type RepositoryRef,
  type ListingSource,
  ListingError,
  normalizeRepositoryUrl,
  displayName,
  readRepositoryList,
  parseRepositoryList,
  fetchPages,
  nextLink,
  checkApiBase,
  ApiError,
  type PagedApiOptions,
  listGitHubRepositories,
  GITHUB_API,
  type GitHubListOptions,
  listGitLabRepositories,
  GITLAB_API,
  type GitLabListOptions,
} from '@tokenward/sources';
export { unscannedRevisions, type RefTips } from '@tokenward/sources';
export { storedFinding, mergeRepositoryFindings, introducedBefore, type StoredFinding, type VerifiedStatus, type Introduction } from './findings.js';
export { repositoryId, repositoryJobId } from './repo-id.js';
export { syncMirror, mirrorTips, remoteTips, gitEnvFor, GitError } from './mirror.js';
export { StaleStateError, type ResultStore, type RepositoryState, type ScanCommit, type RepositoryRecord, type OrgResults } from './store.js';
export { FileStore } from './file-store.js';
export { runRepositoryJob, mirrorPathFor, type RepositoryScanner, type HistoryScanOutcome, type JobContext, type JobOutcome, type JobPhase } from './job.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { runLocalScan, type LocalEvent, type LocalRunOptions } from './local.js';
export { parseShard, selectShard, shardOf, shardMatrix, ShardError, type Shard } from './shard.js';
export * from './report/index.js';
export { DEFAULT_QUEUE_NAME, QueueUrlError, redisOptions, type QueueTarget, type RedisConnection } from './queue-target.js';
