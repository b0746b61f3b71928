import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Debian's Chromium here (Playwright cannot download its own browser on these machines); on
// GitHub, where /usr/bin/chromium is absent, Playwright's own.
const executablePath =
  process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
  projects: [
    {
      // The built renderer in Chromium, talking to the real services over the test transport.
      name: 'chromium',
      testDir: 'test/e2e',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
          ],
        },
      },
    },
    {
      // The real Electron app (skipped, with its reason, where no Electron binary is installed).
      name: 'electron',
      testDir: 'test/electron',
    },
  ],
});
