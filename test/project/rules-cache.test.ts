import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuleFileError } from '@tokenward/engine';
import { parseRuleFilesCached } from '../../packages/project/src/rules-cache.js';

const RULE = (id: string, keyword: string) => `provider: Example
rules:
  - id: ${id}
    title: Example token
    severity: high
    keywords: [${keyword}]
    pattern: '${keyword}[a-z0-9]{20}'
    examples:
      positive: [${keyword}abcdefghij0123456789, 'x ${keyword}0123456789abcdefghij']
      negative: [nothing, '${keyword}short']
`;

describe('rule definitions cache', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tw-rules-cache-'));
    env = { TOKENWARD_CACHE_DIR: join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const entries = () => readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.json'));

  it('returns the same definitions from the cache as from the parser', () => {
    const files = [{ file: 'a.yaml', text: RULE('ex-a', 'exa_') }];
    const first = parseRuleFilesCached(files, env);
    expect(entries()).toHaveLength(1);
    const second = parseRuleFilesCached(files, env);
    expect(second).toEqual(first);
    expect(second[0]!.id).toBe('ex-a');
    expect(second[0]!.source).toEqual({ file: 'a.yaml', line: 3 });
  });

  it('misses when a rule file changes, so edits take effect at once', () => {
    parseRuleFilesCached([{ file: 'a.yaml', text: RULE('ex-a', 'exa_') }], env);
    const edited = parseRuleFilesCached([{ file: 'a.yaml', text: RULE('ex-b', 'exb_') }], env);
    expect(edited.map((d) => d.id)).toEqual(['ex-b']);
    expect(entries()).toHaveLength(2);
  });

  it('still reports a bad rule file with its line (errors are never cached)', () => {
    const bad = [{ file: 'bad.yaml', text: RULE('ex-a', 'exa_').replace('severity: high', 'severity: huge') }];
    for (let i = 0; i < 2; i++) {
      expect(() => parseRuleFilesCached(bad, env)).toThrow(RuleFileError);
      expect(() => parseRuleFilesCached(bad, env)).toThrow(/^bad\.yaml:5: .*severity/);
    }
  });

  it('falls back to parsing when a cache entry is corrupt', () => {
    const files = [{ file: 'a.yaml', text: RULE('ex-a', 'exa_') }];
    parseRuleFilesCached(files, env);
    const entry = join(dir, 'cache', entries()[0]!);
    writeFileSync(entry, '{not json');
    expect(parseRuleFilesCached(files, env).map((d) => d.id)).toEqual(['ex-a']);
    expect(JSON.parse(readFileSync(entry, 'utf8'))[0].id).toBe('ex-a');
  });

  it('keeps the rule set in use when many others are written after it (a hit renews its entry)', () => {
    const daily = [{ file: 'a.yaml', text: RULE('ex-a', 'exa_') }];
    parseRuleFilesCached(daily, env);
    const [dailyEntry] = entries();
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    utimesSync(join(dir, 'cache', dailyEntry!), ago(3600), ago(3600));
    // Fifteen other rule sets (other projects, test runs) written since, all older than the next hit.
    const others = Array.from({ length: 15 }, (_, i) => [{ file: `o${i}.yaml`, text: RULE(`ex-o${i}`, `exo${i}_`) }]);
    for (const o of others) parseRuleFilesCached(o, env);
    for (const f of entries()) if (f !== dailyEntry) utimesSync(join(dir, 'cache', f), ago(60), ago(60));
    expect(entries()).toHaveLength(16);
    // The daily set is used again, then a seventeenth set is written: the least recently used goes.
    expect(parseRuleFilesCached(daily, env).map((d) => d.id)).toEqual(['ex-a']);
    parseRuleFilesCached([{ file: 'new.yaml', text: RULE('ex-new', 'exnew_') }], env);
    expect(entries()).toHaveLength(16);
    expect(entries()).toContain(dailyEntry);
  });
});

describe('rule definitions cache, files on disk', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tw-rules-cache-disk-'));
    env = { TOKENWARD_CACHE_DIR: join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const ago = (s: number) => new Date(Date.now() - s * 1000);

  it('knows a settled file by its stat: a hit does not read it', () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, RULE('ex-a', 'exa_'));
    utimesSync(file, ago(60), ago(60));
    const st = statSync(file);
    expect(parseRuleFilesCached([{ file }], env).map((d) => d.id)).toEqual(['ex-a']);
    // Other text of the same size in the same inode, its old time put back (as `touch -r` could):
    // the stat is unchanged, so the cached definitions come back, which shows the file was not read.
    writeFileSync(file, RULE('ex-z', 'exz_'));
    utimesSync(file, st.atime, st.mtime);
    expect(statSync(file).ino).toBe(st.ino);
    expect(parseRuleFilesCached([{ file }], env).map((d) => d.id)).toEqual(['ex-a']);
    expect(readdirSync(join(dir, 'cache'))).toHaveLength(1);
  });

  it('misses when a settled file is edited (its time and size change)', () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, RULE('ex-a', 'exa_'));
    utimesSync(file, ago(60), ago(60));
    parseRuleFilesCached([{ file }], env);
    writeFileSync(file, RULE('ex-b', 'exbb_'));
    expect(parseRuleFilesCached([{ file }], env).map((d) => d.id)).toEqual(['ex-b']);
  });

  it('reads a file modified moments ago: two same-size writes in one clock tick are told apart', () => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, RULE('ex-a', 'exa_'));
    const { mtime } = statSync(file);
    expect(parseRuleFilesCached([{ file }], env).map((d) => d.id)).toEqual(['ex-a']);
    // Same size, same inode, same modification time: only the content differs.
    writeFileSync(file, RULE('ex-z', 'exz_'));
    utimesSync(file, mtime, mtime);
    expect(parseRuleFilesCached([{ file }], env).map((d) => d.id)).toEqual(['ex-z']);
  });
});
