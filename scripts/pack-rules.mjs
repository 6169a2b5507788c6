// Puts a copy of the repository's rules/ into packages/project/rules for `npm pack` (prepack) and
// removes it again (postpack). The packed @tokenward/project then finds its built-in rules next to
// its dist/ (see defaultRulesDir), while rules/ at the root stays the single source of truth.
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const copy = join(root, 'packages/project/rules');
const action = process.argv[2];
rmSync(copy, { recursive: true, force: true });
if (action === 'copy') cpSync(join(root, 'rules'), copy, { recursive: true });
else if (action !== 'remove') throw new Error(`pack-rules: expected "copy" or "remove", got ${action}`);
