import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // The renderer's pure modules (renderer/src/lib/*.ts) reach shared code as its build does.
        resolve: { alias: { $shared: resolve(import.meta.dirname, 'electron/shared') } },
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        // The renderer's state classes (runes, *.svelte.ts), compiled as the build compiles them.
        plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.mjs') })],
        resolve: { alias: { $shared: resolve(import.meta.dirname, 'electron/shared') } },
        test: { name: 'renderer', include: ['test/renderer/**/*.test.ts'], environment: 'node' },
      },
      // The thin Electron layer, against the contract, with the 'electron' module mocked.
      {
        // electron-vite defines the build's version and commit for main; here a stand-in.
        define: { __FIELDCLAIM_BUILD__: JSON.stringify({ version: '0.0.0-test', commit: 'test' }) },
        test: { name: 'wiring', include: ['test/wiring/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Real ptys, sockets and SQLite files: one file at a time keeps 2 noisy cores predictable.
          fileParallelism: false,
        },
      },
    ],
  },
});
