import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './electron/shared/csp';

// Native modules stay external requires (they ship prebuilt binaries inside their packages);
// pure-JS libraries are devDependencies and get bundled, so nothing else must be resolved at run time.
/** Writes the one CSP into index.html's meta tag (a looser one only for the dev server). */
function cspMeta(): Plugin {
  let dev = false;
  return {
    name: 'fieldclaim-csp',
    configResolved: (config) => void (dev = config.command === 'serve'),
    transformIndexHtml: (html) => html.replace('%FIELDCLAIM_CSP%', contentSecurityPolicy('meta', dev)),
  };
}

/** The CLI is package.json's bin: a rebuilt file must stay executable for `npx fieldclaim`. */
function executableCli(): Plugin {
  return {
    name: 'fieldclaim-executable-cli',
    writeBundle(options, bundle) {
      for (const file of Object.keys(bundle))
        if (file === 'cli.js') chmodSync(resolve(options.dir ?? 'out/main', file), 0o755);
    },
  };
}

/** The commit a build came from, for the About box (a checkout without git says so). */
function buildCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

const build = {
  version: JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')).version as string,
  commit: buildCommit(),
};

export default defineConfig({
  main: {
    define: { __FIELDCLAIM_BUILD__: JSON.stringify(build) },
    plugins: [executableCli()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          cli: resolve(__dirname, 'electron/cli/index.ts'),
          // A worker thread's entry: the CLI's imports read the file on it (token-file-thread.ts).
          'token-file-reader': resolve(__dirname, 'electron/workers/token-file-reader.ts'),
        },
        // The CLI is run directly as package.json's bin.
        output: { banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : '') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only 'electron': bundle everything else into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    // The one way into the main-process code: the runtime-neutral contract and data shapes.
    resolve: { alias: { $shared: resolve(__dirname, 'electron/shared') } },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
    plugins: [svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') }), cspMeta()],
  },
});
