// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vitest from '@vitest/eslint-plugin';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Only src/protocol/config/env.ts reads the environment; everything else takes an Env.
    files: ['src/**/*.ts'],
    ignores: ['src/protocol/config/env.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only through src/protocol/config/env.ts (pass an Env).' },
      ],
    },
  },
  {
    // Libraries never print and never exit the process.
    files: ['src/spiffe/**/*.ts', 'src/shamir/**/*.ts', 'src/protocol/**/*.ts', 'src/client/**/*.ts', 'src/util/**/*.ts', 'src/gocompat/**/*.ts'],
    ignores: ['src/protocol/config/env.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only through src/protocol/config/env.ts (pass an Env).' },
        { object: 'process', property: 'exit', message: 'Libraries never exit the process.' },
        { object: 'process', property: 'stdout', message: 'Libraries never print.' },
        { object: 'process', property: 'stderr', message: 'Libraries never print.' },
      ],
    },
  },
  {
    // src/util sits below every library: it imports nothing from the project.
    files: ['src/util/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'src/util imports nothing from the project.' }] }] },
  },
  {
    // src/gocompat (Go format imitation) imports nothing else from the project.
    files: ['src/gocompat/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*'], message: 'src/gocompat imports nothing else from the project.' }] }] },
  },
  {
    files: ['src/gocompat/json/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../../*'], message: 'src/gocompat imports nothing else from the project.' }] }] },
  },
  {
    // Tests must be able to fail: no expect inside catch/if, no test without an assertion.
    files: ['test/**/*.test.ts'],
    plugins: { vitest },
    rules: {
      'vitest/no-conditional-expect': 'error',
      'vitest/no-conditional-tests': 'error',
      // helpers that assert: expect*, fc.assert (a property), *.waitFor (fails on timeout), *Refusal/*Fails/*OrRefuses
      'vitest/expect-expect': [
        'error',
        { assertFunctionNames: ['expect', 'expect*', 'fc.assert', '*.waitFor', '*Refusal', '*Fails', '*OrRefuses'] },
      ],
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      'vitest/no-standalone-expect': 'error',
      'vitest/no-identical-title': 'error',
      'vitest/no-focused-tests': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
