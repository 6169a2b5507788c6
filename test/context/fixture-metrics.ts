/**
 * Recall and false positives of the whole rule set over the mixed context fixtures
 * (test/fixtures/context): positives list their expected secrets in expected.json; any finding in
 * negative/ is a false positive, and so is an unexpected finding in positive/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRules, scanBytes, type Finding } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'context');

export interface FixtureMetrics {
  expected: number;
  found: number;
  missed: string[];
  falsePositives: string[];
  findings: Map<string, Finding[]>;
}

export function fixtureMetrics(): FixtureMetrics {
  const compiled = compileRules(loadRuleDefinitions());
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, string[]>;
  const m: FixtureMetrics = { expected: 0, found: 0, missed: [], falsePositives: [], findings: new Map() };
  for (const kind of ['positive', 'negative']) {
    for (const name of readdirSync(join(FIXTURES, kind)).sort()) {
      const rel = `${kind}/${name}`;
      const findings = scanBytes(compiled, readFileSync(join(FIXTURES, rel)), { path: rel });
      m.findings.set(rel, findings);
      const want = expected[rel] ?? [];
      const got = new Set(findings.map((f) => f.secret));
      for (const s of want) {
        m.expected++;
        if (got.has(s)) m.found++;
        else m.missed.push(`${rel}: ${s.slice(0, 6)}…`);
      }
      for (const f of findings) if (!want.includes(f.secret)) m.falsePositives.push(`${rel}:${f.start.line} ${f.ruleId} ${f.redacted}`);
    }
  }
  return m;
}
