// Bundles the command line for the published `tokenward` package: `npm pack`'s prepack writes
// dist/ and rules/ here, postpack removes them (as @tokenward/project's rules copy). The CLI is
// ~90 ES modules across the workspace packages; Node 20 resolves, reads and links each one on every
// start, and a pre-commit hook starts on every commit. One bundle (split only where the CLI loads
// a command lazily, so `scan` never loads the language server or the queue) takes that away.
//
// Third-party packages stay outside the bundle (TypeScript is 9 MB and loaded only when needed;
// bullmq reads its Lua scripts from its own folder): the bundle imports them from this package's
// location, so each must be a dependency of this package itself. The build fails when one is
// missing or declared with another version than the workspace package that uses it.
//
//   node packages/tokenward/build.mjs            dist/ and rules/ in packages/tokenward (prepack)
//   node packages/tokenward/build.mjs --clean    removes them (postpack)
//   node packages/tokenward/build.mjs --outdir D the package's bin, dist/ and rules/ in D (the
//                                                benchmark runs what is shipped; D must be inside
//                                                the repository so the dependencies resolve)
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--outdir');
const out = outAt >= 0 ? resolve(args[outAt + 1]) : here;

rmSync(join(out, 'dist'), { recursive: true, force: true });
rmSync(join(out, 'rules'), { recursive: true, force: true });
if (out !== here) rmSync(join(out, 'bin'), { recursive: true, force: true });
if (args.includes('--clean')) process.exit(0);

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const pkg = readJson(join(here, 'package.json'));

/** Third-party dependencies of every workspace package the CLI bundles, with their declared ranges. */
function workspaceDependencies() {
  const found = new Map();
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const dir = join(repo, 'packages', name.replace('@tokenward/', ''));
    const deps = readJson(join(dir, 'package.json')).dependencies ?? {};
    for (const [dep, range] of Object.entries(deps)) {
      if (dep.startsWith('@tokenward/')) visit(dep);
      else found.set(dep, { range, by: name });
    }
  };
  visit('@tokenward/cli');
  return found;
}

const needed = workspaceDependencies();
const wrong = [...needed].filter(([dep, { range }]) => pkg.dependencies?.[dep] !== range);
if (wrong.length) {
  throw new Error(
    `packages/tokenward/package.json must depend on what the bundled CLI imports, with the same ranges:\n${wrong
      .map(([dep, { range, by }]) => `  "${dep}": "${range}" (used by ${by}; declared here: ${pkg.dependencies?.[dep] ?? 'nothing'})`)
      .join('\n')}`,
  );
}

const builtins = new Set(builtinModules);
const isBuiltin = (spec) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]);
const packageOf = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

await build({
  entryPoints: {
    cli: join(repo, 'packages/cli/dist/main.js'),
    // The worker threads of a large scan load this file beside the chunk that starts them.
    'pool-worker': join(repo, 'packages/sources/dist/pool-worker.js'),
  },
  outdir: join(out, 'dist'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'third-party-outside',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, ({ path }) => {
          if (path.startsWith('@tokenward/') || isBuiltin(path)) return undefined;
          if (!needed.has(packageOf(path))) throw new Error(`the CLI imports ${path}, which no workspace package it bundles declares`);
          return { path, external: true };
        });
      },
    },
  ],
});

// Built-in rules beside dist/, where the bundled rules loader looks first (see defaultRulesDir).
mkdirSync(out, { recursive: true });
cpSync(join(repo, 'rules'), join(out, 'rules'), { recursive: true });
if (out !== here) {
  cpSync(join(here, 'package.json'), join(out, 'package.json'));
  cpSync(join(here, 'bin'), join(out, 'bin'), { recursive: true });
}
