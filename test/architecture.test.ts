/**
 * The package graph of docs/architecture.md, enforced: which workspace package may import which,
 * that the engine stays pure (no module or global that does I/O, reads the clock or the
 * environment), and that git is run from one module only. Reads every package's src/ as text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/** Workspace package → the workspace packages it may import (docs/architecture.md). */
const ALLOWED: Record<string, string[]> = {
  engine: [],
  project: ['engine'],
  sources: ['engine', 'project'],
  revoke: ['engine'],
  redact: ['engine', 'project'],
  'language-server': ['engine', 'project', 'sources', 'revoke'],
  org: ['engine', 'sources'],
  cli: ['engine', 'project', 'sources', 'revoke', 'redact', 'language-server', 'org'],
  // The extension is a thin client: it starts the bundled server and talks LSP to it.
  vscode: [],
};

/** Node modules that do I/O or run other code: never in the engine. */
const IO_MODULES = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'child_process', 'worker_threads', 'cluster', 'tls', 'readline', 'os', 'process', 'inspector', 'vm'];
/** Globals that read the clock, the environment or the process. */
const IMPURE_GLOBALS = [/\bprocess\.\w/, /\bDate\.now\(/, /\bnew Date\(/, /\bperformance\.now\(/, /\bfetch\(/, /\bsetTimeout\(/, /\bsetInterval\(/];
/** The only files that may start processes: the git module, and redact --wrap's command. */
const SPAWNERS = ['packages/sources/src/git.ts', 'packages/cli/src/commands/redact.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Code without comments and string contents (quotes kept), so names in prose do not count. */
function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').replace(/`(?:\\[\s\S]|[^`\\])*`/g, '``');
}

/** Module specifiers of static imports and re-exports, dynamic imports and require calls. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(
    /\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm,
  )) {
    out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  }
  return out;
}

const packages = readdirSync(join(REPO_ROOT, 'packages')).filter((p) => statSync(join(REPO_ROOT, 'packages', p, 'src'), { throwIfNoEntry: false })?.isDirectory());
const files = packages.flatMap((pkg) => sourceFiles(join(REPO_ROOT, 'packages', pkg, 'src')).map((file) => ({ pkg, file, rel: relative(REPO_ROOT, file), text: readFileSync(file, 'utf8') })));

/** A package's public entry points: the keys of its package.json `exports` (`.`, `./queue`). */
function publicEntries(pkg: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', pkg, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  return new Set(Object.keys(manifest.exports ?? { '.': null }));
}

describe('package graph (docs/architecture.md)', () => {
  it('knows every package', () => {
    expect(packages.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('sees the imports it checks (the parser is not blind)', () => {
    const cliImports = new Set(files.filter((f) => f.pkg === 'cli').flatMap((f) => specifiers(f.text)));
    for (const dep of ['@tokenward/sources', '@tokenward/project', '@tokenward/language-server', 'node:fs']) expect(cliImports).toContain(dep);
    expect(specifiers(`import type { A } from '@tokenward/x';\nexport { b } from "./b.js";\nconst m = await import('fast-glob');`)).toEqual(['@tokenward/x', './b.js', 'fast-glob']);
  });

  for (const pkg of Object.keys(ALLOWED)) {
    it(`${pkg} imports only ${ALLOWED[pkg]!.length ? ALLOWED[pkg]!.join(', ') : 'no workspace package'}, through their public entry`, () => {
      const bad: string[] = [];
      for (const f of files.filter((x) => x.pkg === pkg)) {
        for (const spec of specifiers(f.text)) {
          const m = /^@tokenward\/([^/]+)(\/.*)?$/.exec(spec);
          if (m && (!ALLOWED[pkg]!.includes(m[1]!) || (m[2] !== undefined && !publicEntries(m[1]!).has(`.${m[2]}`)))) bad.push(`${f.rel}: ${spec}`);
          if (spec.startsWith('../../') || /packages\//.test(spec)) bad.push(`${f.rel}: ${spec} (another package's files)`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('each package declares the workspace packages it imports', () => {
    const missing: string[] = [];
    for (const pkg of packages) {
      const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      const declared = { ...manifest.dependencies, ...manifest.devDependencies };
      const used = new Set(
        files
          .filter((f) => f.pkg === pkg)
          .flatMap((f) => specifiers(f.text))
          .filter((s) => s.startsWith('@tokenward/'))
          .map((s) => s.split('/').slice(0, 2).join('/')),
      );
      for (const u of used) if (!(u in declared)) missing.push(`${pkg}: ${u}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('the engine stays pure', () => {
  const engine = files.filter((f) => f.pkg === 'engine');

  it('imports no module that does I/O', () => {
    const bad = engine.flatMap((f) =>
      specifiers(f.text)
        .filter((s) => IO_MODULES.includes(s.replace(/^node:/, '')))
        .map((s) => `${f.rel}: ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('reads no clock, environment or process state', () => {
    const bad = engine.flatMap((f) => IMPURE_GLOBALS.filter((re) => re.test(codeOnly(f.text))).map((re) => `${f.rel}: ${re.source}`));
    expect(bad).toEqual([]);
  });
});

describe('git runs from one module', () => {
  it(`only ${SPAWNERS.join(' and ')} start processes`, () => {
    const bad = files.filter((f) => !SPAWNERS.includes(f.rel) && specifiers(f.text).some((s) => s === 'node:child_process' || s === 'child_process' || s === 'simple-git')).map((f) => f.rel);
    expect(bad).toEqual([]);
  });
});
