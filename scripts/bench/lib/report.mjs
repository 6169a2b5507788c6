// Markdown for docs/benchmarks.md: one table per workload, then the targets.

export const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
export const fmtMB = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
export const fmtRss = (kb) => (Number.isFinite(kb) ? `${Math.round(kb / 1024)} MB` : 'n/a');

/** One row per measured tool; `floor` names the row the ratios are taken against. */
export function workloadTable(rows, { floorLabel, bytes } = {}) {
  const floor = rows.find((r) => r.label === floorLabel && !r.timedOut && r.medianMs !== undefined);
  const head = ['Tool', 'Command', 'Median', 'Min – max', ...(bytes ? ['Throughput'] : []), 'CPU (user+sys)', 'Peak RSS', ...(floor ? [`× ${floorLabel}`] : [])];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    if (r.unavailable) {
      lines.push(`| ${r.label} | ${r.command ?? ''} | not run: ${r.unavailable} | | ${bytes ? '| ' : ''}| |${floor ? ' |' : ''}`);
      continue;
    }
    if (r.timedOut) {
      lines.push(`| ${r.label} | ${r.command} | > ${fmtMs(r.timeoutMs)} (stopped) | | ${bytes ? '| ' : ''}| |${floor ? ' |' : ''}`);
      continue;
    }
    const cells = [
      r.label,
      r.command,
      `**${fmtMs(r.medianMs)}**`,
      `${fmtMs(r.minMs)} – ${fmtMs(r.maxMs)}`,
      ...(bytes ? [`${((bytes / 1e6) / (r.medianMs / 1000)).toFixed(0)} MB/s`] : []),
      Number.isFinite(r.cpuMs) ? fmtMs(r.cpuMs) : 'n/a',
      fmtRss(r.peakRssKb),
      ...(floor ? [r === floor ? '1.00 (floor)' : `${(r.medianMs / floor.medianMs).toFixed(2)}`] : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function targetsTable(targets) {
  const lines = ['| Target | Goal | Measured | Status | Gap left and why |', '| --- | --- | --- | --- | --- |'];
  for (const t of targets) {
    lines.push(`| ${t.name} | ${t.goal} | ${t.measured ?? 'not measured'} | ${t.met === undefined ? '—' : t.met ? 'met' : '**not met**'} | ${t.met === false ? (t.why ?? '') : ''} |`);
  }
  return lines.join('\n');
}
