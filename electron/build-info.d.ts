/** Version and commit of this build: electron-vite defines it for main and the CLI (electron.vite.config.ts). */
declare const __FIELDCLAIM_BUILD__: { version: string; commit: string };
