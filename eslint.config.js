// ESLint (flat config) with typescript-eslint's type-aware rules over every package's sources.
// `npm run lint`; CI runs it after the tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/project/rules/**'] },
  {
    files: ['packages/*/src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_name` marks a value kept on purpose (a destructured field left out, a callback argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Implementations of async interfaces (stores, command handlers) may finish synchronously:
      // `async` keeps their errors rejections, as callers of the interface expect.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Packages other engineers are changing: the rules their current code does not pass yet are
    // off here (tightening them is their call, with the fixes in their own change).
    files: ['packages/engine/src/**/*.ts', 'packages/revoke/src/**/*.ts', 'packages/redact/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      'no-useless-assignment': 'off',
    },
  },
);
