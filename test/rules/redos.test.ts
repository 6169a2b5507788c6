import { describe, expect, it } from 'vitest';
import { RegExpParser } from '@eslint-community/regexpp';
import { analyse } from 'scslre';
import { compileRules, scanText } from '@tokenward/engine';
import { RULE_FILES } from './catalogue.js';

// A hostile file must not hang a scan. Two checks per pattern:
//  1. static: scslre finds no super-linear backtracking (no two quantifiers that can trade the same
//     characters, no quantified group that can match one string several ways). It models unbounded
//     loops; bounded counters like {0,300} cost at most their bound per start position.
//  2. dynamic: the engine scans ~200 KB built to provoke backtracking for that rule (its keywords
//     repeated, runs of characters its classes accept, near-miss copies of its own examples).
const parser = new RegExpParser({ ecmaVersion: 2022 });

function superLinearReports(pattern: string, flags = ''): string[] {
  const literal = { pattern: parser.parsePattern(pattern, 0, pattern.length, { unicode: flags.includes('u') }), flags: parser.parseFlags(flags) };
  return analyse(literal, { maxReports: 3, reportTypes: { Move: true, Self: true, Trade: true } }).reports.map(
    (r) => `${r.type}${r.exponential ? ' (exponential)' : ''} near ${'quant' in r ? r.quant.raw : r.startQuant.raw}`.slice(0, 160),
  );
}

const patterns = RULE_FILES.flatMap(({ name, defs }) =>
  defs.flatMap((d) => [
    { name, id: d.id, pattern: d.pattern, flags: d.flags },
    ...(d.pair ? [{ name, id: `${d.id} pair`, pattern: d.pair.pattern, flags: d.pair.flags }] : []),
  ]),
);

describe('every pattern runs in linear time', () => {
  it.each(patterns.map((p) => [`${p.name}: ${p.id}`, p] as const))('%s has no super-linear backtracking', (_, p) => {
    expect(superLinearReports(p.pattern, p.flags)).toEqual([]);
  });

  it('the static check does catch catastrophic patterns', () => {
    expect(superLinearReports('(a+)+b').join()).toMatch(/exponential/);
    expect(superLinearReports('key\\s*=\\s*\\s*(\\w+)').length).toBeGreaterThan(0);
    expect(superLinearReports('x[\\s\\S]*y[\\s\\S]*z').length).toBeGreaterThan(0);
  });

  const defs = RULE_FILES.flatMap((f) => f.defs);
  it.each(defs.map((d) => [d.id, d] as const))('%s scans a 200 KB hostile input', (_, def) => {
    const compiled = compileRules([def]);
    const near = def.examples.positive.map((e) => (e.secret ?? e.text).slice(0, -1));
    const pieces = [
      ...def.keywords.map((k) => `${k}${'a'.repeat(300)}`),
      ...def.keywords.map((k) => `${k}=${'A1'.repeat(150)} `),
      ...def.keywords.map((k) => `${k} Bearer ${'-'.repeat(200)}\n`),
      ...near.map((n) => `${n}\n`),
      ...near.map((n) => n.replace(/[\s\S]{2}$/, '!!')),
    ];
    let text = '';
    for (let i = 0; text.length < 200_000; i++) text += pieces[i % pieces.length];
    const t = performance.now();
    scanText(compiled, text, { path: 'hostile.txt' });
    // Not a speed target (benchmarks measure speed): a catastrophic pattern takes minutes here,
    // a linear one milliseconds, so a generous bound cannot flake yet still catches a hang.
    expect(performance.now() - t).toBeLessThan(5_000);
  });
});
