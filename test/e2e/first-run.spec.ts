import { expect, test } from '@playwright/test';
import { SimulatedBench } from '../support/scene';
import { openUi, startUi } from '../support/test-transport';
import { goTo } from './screens';

let bench: SimulatedBench;
let ui: Awaited<ReturnType<typeof startUi>>;

test.beforeEach(async () => {
  bench = new SimulatedBench();
  ui = await startUi({ listPorts: bench.listPorts });
});
test.afterEach(async () => {
  await ui.close();
  await bench.close();
});

test('first run: a checklist of key, site and board that goes away once each is done', async ({ page }) => {
  await openUi(page, ui.transport);
  const checklist = page.getByTestId('first-run');
  await expect(checklist).toContainText('0 of 3 done');
  await expect(checklist.locator('[data-step="key"]')).toHaveAttribute('data-done', 'false');

  await checklist.locator('[data-step="key"]').getByRole('button', { name: 'Open Settings' }).click();
  await page.getByLabel('Paste a new key').fill('first-run-key');
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByLabel('Site tags').fill('location=Bergen');
  await page.getByRole('button', { name: 'Save site' }).click();
  await expect(page.getByTestId('active-tags')).toContainText('location=Bergen');

  await goTo(page, 'Station');
  await expect(checklist).toContainText('2 of 3 done');
  await expect(checklist.locator('[data-step="site"]')).toHaveAttribute('data-done', 'true');
  await bench.add({ config: {}, usb: { serialNumber: '001051200091' } });
  await expect(checklist).toHaveCount(0);
  await expect(page.getByTestId('port-tile')).toHaveCount(1);
});

test('the window speaks the window, not the command line', async ({ page }) => {
  await openUi(page, ui.transport);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await page.getByRole('button', { name: 'Read all boards' }).click();
  await expect(page.getByTestId('toast')).toContainText('No Nordic board was recognised');
  for (const screen of ['Station', 'Queue', 'Devices', 'Tags', 'Settings'] as const) {
    await goTo(page, screen);
    const text = await page.locator('body').innerText();
    expect(text, screen).not.toMatch(/--[a-z]|`fieldclaim|fieldclaim key/);
  }
});
