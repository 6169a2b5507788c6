#!/usr/bin/env node
// The `tokenward` command of the published package. The package carries the CLI as one bundle
// (dist/, written by build.mjs when it is packed): loading it takes tens of milliseconds less than
// the ~90 modules of @tokenward/cli, on every pre-commit. In the repository, where there is no
// bundle, the same CLI runs from the workspace packages.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '@tokenward/cli/main');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tokenward: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
