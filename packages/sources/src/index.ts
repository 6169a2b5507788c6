export { listFiles, scanFile, textBytes, looksBinary, toDisplay, WHOLE_FILE_LIMIT, type ListedFile, type FileOutcome, type ScanFileOptions, type WalkOptions, type WalkProblem } from './files.js';
export { scanFiles, emptyStats, compareFindings, defaultThreads, type ScanStats, type ScanProblem, type FileScanOptions, type FileScanResult } from './scanner.js';
export { discoverRepo, resolveCommit, hasHead, shallowCommits, gitSync, gitStream, CatFileBatch, isZeroSha, LOW_MEMORY_PACK_ACCESS, type GitRepo, type GitResult } from './git.js';
export { scanGitHistory, COMMIT_MESSAGE_PATH, type HistoryScanOptions, type HistoryScanResult } from './git-history.js';
export { scanStaged, type StagedScanResult } from './git-staged.js';
export { prePushRevisions } from './git-prepush.js';
