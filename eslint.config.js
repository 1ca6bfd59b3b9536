import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Node and Playwright Test's loader read a JSON module only with the import attribute.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportDeclaration[source.value=/\\.json$/][attributes.length=0]',
          message: "Import JSON with `with { type: 'json' }`.",
        },
      ],
    },
  },
  {
    // core runs in plain Node (tests, CLI, server): it must never depend on Electron.
    files: ['main/core/**/*.ts', 'main/cli.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'main/core runs without Electron; put Electron code in main/app/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer talks to main only through preload/api.ts.
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', 'electron'],
              message: 'The renderer uses only the typed contract in preload/api.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the typed wrappers in main/app/ipc.ts and preload/index.ts touch raw IPC.
    files: ['main/app/**/*.ts'],
    ignores: ['main/app/ipc.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain'],
              message: 'Use the typed handlers in main/app/ipc.ts.',
            },
          ],
        },
      ],
    },
  },
);
