// vsce's own secret check flags the rule files' examples (checksum-valid fakes that are the rules'
// test vectors), hence --allow-package-all-secrets in the package script.
// Bundles the extension client (CommonJS, as VS Code loads it) and the language server (ESM, with
// the built-in rules copied beside it) into dist/, ready for `vsce package --no-dependencies`.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
// `--outdir DIR` bundles elsewhere (tests build in parallel with packaging).
const outAt = process.argv.indexOf('--outdir');
const dist = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(here, 'dist');
// Only what this script writes: dist/tsc is the type-check output of 'tsc -b'.
for (const f of ['extension.cjs', 'extension.cjs.map', 'server.mjs', 'server.mjs.map', 'rules']) rmSync(join(dist, f), { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(here, 'src/extension.ts')],
  outfile: join(dist, 'extension.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: true,
  logLevel: 'warning',
});

/**
 * The engine and project packages load heavy dependencies on first use through
 * `createRequire(import.meta.url)(...)` (yaml, ajv, @typescript-eslint/parser), which esbuild cannot
 * follow. Turn those calls into plain `require('name')` so the modules land in the bundle and the
 * server needs no node_modules beside it.
 */
const lazyRequires = {
  name: 'tokenward-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('createRequire(import.meta.url)')) return undefined;
      const contents = source
        .replace(/createRequire\(import\.meta\.url\)\((['"][^'"]+['"])\)/g, 'require($1)')
        .replace(/\bload\((['"][^'"]+['"])\)/g, 'require($1)');
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

await build({
  plugins: [lazyRequires],
  minifyWhitespace: true,
  minifySyntax: true,
  entryPoints: [join(repo, 'packages/language-server/src/bin.ts')],
  outfile: join(dist, 'server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Bundled CommonJS dependencies (ajv, yaml) call require() for Node built-ins.
  // Bundled CommonJS code (typescript) also reads __filename / __dirname.
  banner: {
    js: "import { createRequire as __twCreateRequire } from 'node:module'; import { fileURLToPath as __twFileURLToPath } from 'node:url'; import { dirname as __twDirname } from 'node:path'; const require = __twCreateRequire(import.meta.url); const __filename = __twFileURLToPath(import.meta.url); const __dirname = __twDirname(__filename);",
  },
});

cpSync(join(repo, 'rules'), join(dist, 'rules'), { recursive: true, filter: (src) => !src.endsWith('.schema.json') || src.endsWith('rule-file.schema.json') });
console.log(`bundled into ${dist}`);
