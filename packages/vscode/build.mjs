// vsce's own secret check flags the rule files' examples (checksum-valid fakes that are the rules'
// test vectors), hence --allow-package-all-secrets in the package script.
// Bundles the extension client (CommonJS, as VS Code loads it) and the language server (ESM, with
// the built-in rules copied beside it) into dist/, ready for `vsce package --no-dependencies`.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const dist = join(here, 'dist');
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

await build({
  entryPoints: [join(repo, 'packages/language-server/src/bin.ts')],
  outfile: join(dist, 'server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Bundled CommonJS dependencies (ajv, yaml) call require() for Node built-ins.
  banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
});

cpSync(join(repo, 'rules'), join(dist, 'rules'), { recursive: true, filter: (src) => !src.endsWith('.schema.json') || src.endsWith('rule-file.schema.json') });
console.log(`bundled into ${dist}`);
