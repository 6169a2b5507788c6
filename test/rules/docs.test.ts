import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleFileSchema } from '@tokenward/engine';
import { REPO_ROOT } from '../helpers/cli.js';
import { ALL_RULES } from './catalogue.js';

describe('generated documentation', () => {
  it('docs/rules.md and rules/rule-file.schema.json are up to date (npm run gen)', () => {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/gen-docs.mjs'), '--check'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TOKENWARD_NO_CACHE: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the schema file is the engine schema and lists every rule field', () => {
    const file = JSON.parse(readFileSync(join(REPO_ROOT, 'rules/rule-file.schema.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(ruleFileSchema)));
    expect(Object.keys(file.properties.rules.items.properties)).toEqual(expect.arrayContaining(['keywords', 'pattern', 'secretGroup', 'validators', 'examples', 'rotate', 'pair', 'allow', 'verify', 'revoke']));
  });

  it('documents every rule with its rotation link', async () => {
    const { renderRulesDoc } = await import('../../scripts/gen-docs.mjs' as string);
    const doc: string = renderRulesDoc(ALL_RULES);
    for (const d of ALL_RULES) {
      expect(doc).toContain(`### ${d.id}\n`);
      if (d.rotate) expect(doc).toContain(d.rotate.url);
    }
    // A change to a rule changes the document, so the check above would catch a stale copy.
    const changed = renderRulesDoc(ALL_RULES.map((d, i) => (i === 0 ? { ...d, title: `${d.title} (renamed)` } : d)));
    expect(changed).not.toBe(doc);
  });
});
