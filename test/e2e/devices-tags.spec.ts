import { expect, test } from '@playwright/test';
import type { Fieldclaim } from '../../electron/services/fieldclaim';
import { ApiSimulator } from '../support/api-sim';
import { memorySecretBackend } from '../support/station';
import { goTo } from './screens';
import { openUi, startUi } from '../support/test-transport';
import { makeToken, type MadeToken } from '../support/tokens';

let sim: ApiSimulator;
let ui: Awaited<ReturnType<typeof startUi>>;
let app: Fieldclaim;
let tokens: MadeToken[];

test.beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey('k');
  tokens = [makeToken({ deviceType: 4 }), makeToken({ deviceType: 6 }), makeToken({ deviceType: 6 })];
  for (const t of tokens) sim.preclaim(t.token, 'team-1');
  ui = await startUi({ secretBackend: memorySecretBackend('k'), settingsOverrides: { apiUrl: sim.baseUrl } });
  app = ui.app;
  app.changes.createTag('zone=north');
  app.changes.setTagsBatch([tokens[0]!.deviceId, tokens[1]!.deviceId], ['zone=north']);
  await app.sync.run();
});
test.afterEach(async () => {
  await ui.close();
  await sim.stop();
});

const row = (page: import('@playwright/test').Page, t: MadeToken) =>
  page.locator(`[data-testid="device-row"][data-device="${t.deviceId}"]`);

test('devices: search, filter, block with its pending state, unclaim with a confirmation', async ({
  page,
}) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Devices');
  await expect(page.getByTestId('devices-age')).toContainText('3 claimed devices');
  await expect(page.getByTestId('device-row')).toHaveCount(3);

  await page.keyboard.press('/');
  await page.keyboard.type(tokens[2]!.deviceId.slice(0, 8));
  await expect(page.getByTestId('device-row')).toHaveCount(1);
  await page.getByLabel('Search (press /)').fill('');
  await page.getByLabel('Filter by tag').selectOption('zone=north');
  await expect(page.getByTestId('device-row')).toHaveCount(2);
  await page.getByLabel('Filter by type').selectOption('nrf9161_LACA');
  await expect(page.getByTestId('device-row')).toHaveCount(1);
  await page.getByLabel('Filter by type').selectOption('');
  await page.getByLabel('Filter by tag').selectOption('');

  await page.getByLabel(`Select ${tokens[0]!.deviceId}`).check();
  await page.getByRole('button', { name: 'Block', exact: true }).click();
  await expect(row(page, tokens[0]!).getByTestId('device-status')).toHaveText('blocking…');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(row(page, tokens[0]!).getByTestId('device-status')).toHaveText('BLOCKED');
  expect(sim.effectCount('block', tokens[0]!.deviceId)).toBe(1);
  await page.getByLabel('Filter by status').selectOption('blocked');
  await expect(page.getByTestId('device-row')).toHaveCount(1);
  await page.getByLabel('Filter by status').selectOption('all');

  await page.getByLabel(`Select ${tokens[1]!.deviceId}`).check();
  await page.getByRole('button', { name: 'Unclaim…' }).click();
  const dialog = page.getByTestId('unclaim-dialog');
  await expect(dialog).toContainText("deletes each device's history in nRF Cloud");
  await expect(dialog.getByTestId('unclaim-list')).toContainText(tokens[1]!.deviceId);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(app.queue.list('pending')).toEqual([]);
  await page.getByRole('button', { name: 'Unclaim…' }).click();
  await dialog.getByRole('button', { name: 'Unclaim 1 device' }).click();
  await expect(row(page, tokens[1]!).getByTestId('device-status')).toHaveText('unclaiming…');

  // The detail beside the list: words for the service's fields, local times, tags as chips.
  await row(page, tokens[2]!).getByRole('button', { name: tokens[2]!.deviceId }).click();
  const detail = page.getByTestId('device-detail');
  await expect(detail.getByRole('heading', { name: `Device ${tokens[2]!.deviceId}` })).toBeFocused();
  await expect(detail.getByTestId('detail-status')).toHaveText('READY');
  await detail.getByText('More from nRF Cloud').click();
  await expect(detail).toContainText('Ownership');
  await expect(detail).not.toContainText('ownershipStatus');
  const claimedAt = sim.devices.get(tokens[2]!.deviceId)!.claimedAt;
  const local = await page.evaluate((iso) => new Date(iso).toLocaleString(), claimedAt);
  await expect(detail).toContainText(local);
  await page.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);
  await expect(row(page, tokens[2]!).getByRole('button', { name: tokens[2]!.deviceId })).toBeFocused();
});

test('tags: counts, rename, and a delete confirmation that says how many devices lose the tag', async ({
  page,
}) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Tags');
  const north = page.locator('[data-testid="tag-row"][data-tag="zone=north"]');
  await expect(north.getByTestId('tag-devices')).toHaveText('2');
  await page.getByLabel('New tag').fill('zone=south');
  await page.getByRole('button', { name: 'Create tag' }).click();
  await expect(page.locator('[data-testid="tag-row"][data-tag="zone=south"]')).toBeVisible();

  await north.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Name', { exact: true }).fill('zone=n');
  await page.getByRole('button', { name: 'Save (applies to every device)' }).click();
  const renamed = page.locator('[data-testid="tag-row"][data-tag="zone=n"]');
  await expect(renamed.getByTestId('tag-devices')).toHaveText('2');

  await renamed.getByRole('button', { name: 'Delete…' }).click();
  await expect(page.getByTestId('delete-tag-dialog')).toContainText('removed from 2 devices');
  await page.getByRole('button', { name: 'Delete from 2 devices' }).click();
  await expect(renamed).toHaveCount(0);
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('sync-result')).toContainText(/: \d+ sent$/);
  for (const t of tokens) expect(sim.devices.get(t.deviceId)!.tags).toEqual([]);
});
