// Language-server diagnostics for a 1,000-line file: measured by scripts/bench-lsp.mjs (owned by
// the language-server work), which this harness runs and reports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export async function lspWorkload(ctx) {
  const target = { name: 'LSP diagnostics, 1,000-line file', goal: '≤ 5 ms' };
  const script = join(ctx.repoRoot, 'scripts', 'bench-lsp.mjs');
  if (!existsSync(script)) {
    return { markdown: '## Language-server diagnostics\n\nNot available yet: `scripts/bench-lsp.mjs` does not exist.\n', targets: [target] };
  }
  ctx.log(`running ${script}…`);
  const r = spawnSync(process.execPath, [script, '--json'], { cwd: ctx.repoRoot, encoding: 'utf8', timeout: 300_000 });
  const out = (r.stdout ?? '').trim();
  // The script may print a JSON summary on its last line; otherwise its text is shown as is.
  let summary;
  try {
    summary = JSON.parse(out.split('\n').pop());
  } catch { /* text output */ }
  const ms = summary?.medianMs ?? summary?.median ?? summary?.p50Ms;
  if (typeof ms === 'number') {
    target.measured = `${ms.toFixed(2)} ms`;
    target.met = ms <= 5;
  }
  const markdown = `## Language-server diagnostics

Measured by \`node scripts/bench-lsp.mjs\`${r.status !== 0 ? ` (exited with ${r.status})` : ''}:

\`\`\`
${(summary ? out.split('\n').slice(0, -1).join('\n') : out) || (r.stderr ?? '').trim()}
\`\`\`
`;
  return { markdown, targets: [target] };
}
