import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// `npm run screenshots`: not part of `npm test` (it rewrites docs/screenshots/); the same Chromium.
const chromium = base.projects?.find((p) => p.name === 'chromium');

export default defineConfig({
  ...base,
  reporter: [['list']],
  projects: [{ ...chromium, name: 'screenshots', testDir: '.' }],
});
