/**
 * Baseline file I/O for the language server. Kept to this one module so it can be swapped for
 * @tokenward/project's reader/writer (the CLI's) without touching anything else.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BaselineEntry } from '@tokenward/engine';

export const BASELINE_FILE = '.tokenward/baseline.json';

interface BaselineFile {
  version: 1;
  findings: BaselineEntry[];
}

export function baselinePath(root: string): string {
  return join(root, BASELINE_FILE);
}

export function readBaselineEntries(root: string): BaselineEntry[] {
  const file = baselinePath(root);
  if (!existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const findings = (data as Partial<BaselineFile>).findings;
  if (!Array.isArray(findings)) throw new Error(`${file}: expected {"findings": [...]}`);
  return findings.filter((f): f is BaselineEntry => typeof f?.fingerprint === 'string' && typeof f?.ruleId === 'string');
}

export function appendBaselineEntry(root: string, entry: BaselineEntry): string {
  const file = baselinePath(root);
  const entries = readBaselineEntries(root);
  if (!entries.some((e) => e.fingerprint === entry.fingerprint)) entries.push(entry);
  entries.sort((a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ version: 1, findings: entries } satisfies BaselineFile, null, 2)}\n`);
  return file;
}
