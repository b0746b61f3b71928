import { expect, test, type Locator, type Page } from '@playwright/test';
import { ApiSimulator } from '../support/api-sim';
import { SimulatedBench } from '../support/scene';
import { openUi, startUi } from '../support/test-transport';

let sim: ApiSimulator;
let bench: SimulatedBench;
let ui: Awaited<ReturnType<typeof startUi>>;

test.beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey('keyboard-key');
  bench = new SimulatedBench();
  ui = await startUi({ listPorts: bench.listPorts, settingsOverrides: { apiUrl: sim.baseUrl } });
});
test.afterEach(async () => {
  await ui.close();
  await bench.close();
  await sim.stop();
});

/** Tabs forward until `target` has the focus: it is reachable by keyboard alone, in tab order. */
async function tabTo(page: Page, target: Locator, most = 60) {
  for (let i = 0; i < most; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

test('a key, a site, a read, a dismissal and a sync with the keyboard alone', async ({ page }) => {
  await openUi(page, ui.transport);
  const rail = page.getByRole('navigation', { name: 'Screens' });

  await tabTo(page, rail.getByRole('button', { name: 'Settings' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByLabel('Paste a new key'));
  await page.keyboard.type('keyboard-key');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('settings-key-status')).toContainText('A key is stored');
  await tabTo(page, page.getByLabel('Site tags'));
  await page.keyboard.type('location=Oslo');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('active-tags')).toContainText('location=Oslo');

  await page.keyboard.press('Shift+Tab');
  await tabTo(page, rail.getByRole('button', { name: 'Station' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('switch', { name: 'Watch for new boards' }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('switch', { name: 'Watch for new boards' })).not.toBeChecked();

  const board = await bench.add({ config: {}, usb: {} }); // an unknown adapter: listed, read when typed
  await tabTo(page, page.getByLabel('Port path or USB serial number'));
  await page.keyboard.type(board.path);
  await page.keyboard.press('Enter');
  const tile = page.locator(`[data-testid="port-tile"][data-port="${board.path}"]`);
  await expect(tile.locator('[data-state]')).toHaveAttribute('data-state', 'queued');
  await expect(tile.getByTestId('tile-tags')).toHaveText('location=Oslo');

  await tabTo(page, page.getByRole('button', { name: `Dismiss ${board.path}` }));
  await page.keyboard.press('Enter');
  await expect(tile).toHaveCount(0);

  await tabTo(page, page.getByRole('button', { name: 'Sync now' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('outbox-counts')).toContainText('0 pending · 0 failed · 1 done today');

  // "/" goes to the Devices search from anywhere on that screen.
  await tabTo(page, rail.getByRole('button', { name: 'Devices' }));
  await page.keyboard.press('Enter');
  await page.keyboard.press('/');
  await expect(page.getByLabel('Search (press /)')).toBeFocused();
});
