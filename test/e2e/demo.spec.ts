import { expect, test } from '@playwright/test';
import { startDemo } from '../demo/demo';

let demo: Awaited<ReturnType<typeof startDemo>>;

test.beforeAll(async () => {
  demo = await startDemo({ port: 0, hotPlugAfterMs: 1500, stationIntervalMs: 200, autoSyncIntervalMs: 500 });
});
test.afterAll(() => demo.close());

test('npm run demo: a plain browser gets the window, its boards read, one plugged in later, the queue syncing', async ({
  page,
}) => {
  // No test transport in the page: the demo server gives it window.api itself.
  await page.goto(demo.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Station' })).toBeVisible();
  await expect(page.locator('[data-testid="port-tile"] [data-state="queued"]')).toHaveCount(3, {
    timeout: 20_000,
  });
  await expect(page.locator('[data-testid="port-tile"] [data-state="error"]')).toHaveCount(1);
  await expect(page.getByTestId('port-tile').filter({ hasText: 'update the modem firmware' })).toHaveCount(1);
  await expect(page.getByTestId('other-ports')).toContainText('/dev/ttyUSB0');
  await expect(page.getByTestId('outbox-counts')).toContainText('0 pending', { timeout: 30_000 });
  await expect(page.getByTestId('connection')).toContainText('Online');
});
