import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.mjs';

export default ts.config(
  { ignores: ['out/', 'node_modules/', 'test-results/', 'playwright-report/', 'bench-results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig },
    },
  },
  {
    // CommonJS on purpose: preloaded with `node -r` (bench/peak-rss.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerRules(),
);

/**
 * The import rule of each layer (ARCHITECTURE.md), as lint errors rather than a convention.
 * test/unit/layer-rules.test.ts lints a forbidden import into each layer and proves each one fires.
 */
function layerRules() {
  const folder = (name) => ({ regex: `(^|/)${name}(/|$)`, message: `this layer may not import ${name}/` });
  const node = {
    regex: '^(node:|(fs|path|os|crypto|child_process|worker_threads|http|https|net)$)',
    message: 'pure code does no I/O',
  };
  const native = {
    regex: '^(better-sqlite3|serialport|keytar)$',
    message: 'native modules live in adapters/',
  };
  const electron = {
    regex: '^electron$',
    message: 'only electron/main and electron/preload may import electron',
  };
  const intoMain = {
    regex: '(^|/)electron/',
    message: 'the renderer reaches main-process code only through $shared/',
  };
  const rule = (files, patterns) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  });
  return [
    rule(
      ['electron/shared/**', 'electron/core/**'],
      [node, native, electron, ...['adapters', 'services', 'main', 'cli', 'preload', 'workers'].map(folder)],
    ),
    rule(['electron/adapters/**'], [electron, ...['services', 'main', 'cli', 'preload'].map(folder)]),
    rule(['electron/services/**'], [electron, ...['main', 'cli', 'preload'].map(folder)]),
    rule(['electron/cli/**', 'electron/workers/**'], [electron, ...['main', 'preload'].map(folder)]),
    rule(
      ['electron/preload/**'],
      [node, native, ...['adapters', 'services', 'core', 'main', 'cli', 'workers'].map(folder)],
    ),
    rule(['renderer/**'], [node, native, electron, intoMain]),
  ];
}
