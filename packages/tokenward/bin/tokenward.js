#!/usr/bin/env node
// The `tokenward` command of the published package: the CLI of @tokenward/cli (which brings the
// engine, the rules, the language server and revocation).
import { main } from '@tokenward/cli';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tokenward: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
