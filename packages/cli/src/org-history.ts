import type { CompiledRules, RuleDefinition } from '@tokenward/engine';
import type { HistoryScanOutcome } from '@tokenward/org';
import { CatFileBatch, GitHistorySource, gitSync, hasHead, scanChunk, scanSource, type GitRepo } from '@tokenward/sources';

/**
 * The one place the organisation scanner meets the git sources: a history scan of a bare mirror
 * (the same GitHistorySource and chunk pool as `scan --history`) and the secrets in its HEAD tree.
 */

/** A bare mirror is its own git folder (no work tree): nothing to discover. */
const bare = (gitDir: string): GitRepo => ({ root: gitDir, gitDir });

export async function scanMirrorHistory(defs: readonly RuleDefinition[], compiled: CompiledRules, gitDir: string, revs: string[], threads?: number): Promise<HistoryScanOutcome> {
  const repo = bare(gitDir);
  const r = await scanSource(new GitHistorySource(repo, { revs, display: (p) => p }), { defs, compiled }, threads !== undefined ? { threads } : {});
  return { findings: r.findings, commits: r.stats.commits ?? 0, problems: r.problems.map((p) => `${p.path}: ${p.message}`) };
}

/** Fingerprints of the secrets in the tree of HEAD (whole files, as a scan of a checkout sees them). */
export async function headTreeFingerprints(compiled: CompiledRules, gitDir: string): Promise<Set<string>> {
  const repo = bare(gitDir);
  const out = new Set<string>();
  if (!hasHead(repo)) return out;
  const tree = gitSync(['ls-tree', '-r', '-z', '--full-tree', 'HEAD'], repo);
  if (tree.status !== 0) throw new Error(`git ls-tree HEAD failed in ${gitDir}: ${tree.stderr}`);
  const blobs = new Set<string>();
  for (const entry of tree.stdout.toString('utf8').split('\0')) {
    const m = /^\d+ blob ([0-9a-f]+)\t/.exec(entry);
    if (m) blobs.add(m[1]!);
  }
  const cat = new CatFileBatch(repo, ({ type, bytes }) => {
    if (!bytes || type !== 'blob') return;
    // Decided as the history scan decides (UTF-16, archives, key stores), so "still in HEAD" agrees with it.
    const outcome = scanChunk(compiled, { origin: { path: '', kind: 'git-blob' }, bytes });
    if (outcome.kind === 'scanned') for (const f of outcome.findings) out.add(f.fingerprint);
  });
  for (const b of blobs) if (!cat.request(b)) await cat.drained();
  cat.end();
  await cat.done;
  return out;
}
