/**
 * @tokenward/sources: where bytes come from. Each source turns its input into chunks with their
 * origin; one pool scans chunks from any source, in this thread or worker threads.
 */
export { emptyStats, Tally, type Chunk, type ChunkOrigin, type ChunkOutcome, type BytesChunk, type FileChunk, type FileRef, type ScanStats, type ScanProblem, type SourceResult } from './chunk.js';
export { scanSource, type Source, type SourceScanOptions } from './source.js';
export { ChunkPool, defaultThreads, defaultStreamingWorkers, type ChunkPoolOptions, type PoolPlan, type PoolRules } from './pool.js';
export { scanChunk, admitBytes, scanAdmitted, scanContent, textBytes, looksBinary, WHOLE_FILE_LIMIT, type ScanChunkOptions, type OpenableBytes } from './scan-chunk.js';
export { ARCHIVE_LIMITS, type ArchiveLimits } from './content.js';
export { FilesSource, listFiles, toDisplay, compareFindings, type ListedFile, type WalkOptions, type WalkProblem } from './files.js';
export { StreamSource } from './stream.js';
export { GitHistorySource, COMMIT_MESSAGE_PATH, type HistoryScanOptions } from './git-history.js';
export { GitStagedSource } from './git-staged.js';
export { prePushRevisions, preReceiveRevisions } from './git-prepush.js';
export { submodulePaths, SourceList } from './submodules.js';
export { HistoryState, refTips, unscannedRevisions, type RefTips } from './history-state.js';
export { discoverRepo, resolveCommit, hasHead, shallowCommits, runGit, runGitAsync, gitSync, gitStream, porcelain, CatFileBatch, isZeroSha, LOW_MEMORY_PACK_ACCESS, type CatFileAnswer, type GitRepo, type GitResult } from './git.js';
// Sources of repositories (a list file, a GitHub organisation or user, a GitLab group) for the organisation scanner.
export * from './repositories/index.js';
