import { expect, test, type Page } from '@playwright/test';
import type { Fieldclaim } from '../../electron/services/fieldclaim';
import { ApiSimulator } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { memorySecretBackend } from '../support/station';
import { openUi, startUi } from '../support/test-transport';
import { makeToken, type MadeToken } from '../support/tokens';
import { goTo } from './screens';

let sim: ApiSimulator;
let ui: Awaited<ReturnType<typeof startUi>>;
let app: Fieldclaim;
let tokens: MadeToken[];
const imeiOf = (i: number) => `35135881517834${i}`;
// A key as long as a real one: answers are scrubbed of the key, and a one-letter key would scrub
// that letter out of every tag name.
const KEY = 'e2e-key-3f9c2a7d41b8e6f0';

// Three devices claimed from this station, each with its IMEI and the tags location and customer.
test.beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  ui = await startUi({ secretBackend: memorySecretBackend(KEY), settingsOverrides: { apiUrl: sim.baseUrl } });
  app = ui.app;
  tokens = [makeToken(), makeToken(), makeToken()];
  tokens.forEach((t, i) => queueClaims(ui.dataDir, [t], { tags: ['location', 'customer'], imei: imeiOf(i) }));
  await app.sync.run();
});
test.afterEach(async () => {
  await ui.close();
  await sim.stop();
});

const row = (page: Page, t: MadeToken) =>
  page.locator(`[data-testid="device-row"][data-device="${t.deviceId}"]`);
const waitingKinds = () => app.queue.list('pending').map((e) => `${e.kind} ${e.deviceId}`);

/** Every call the window makes to the services, by name, as it leaves the page. */
function callsFrom(page: Page): string[] {
  const calls: string[] = [];
  page.on('request', (request) => {
    const call = /\/rpc\/(\w+)$/.exec(request.url())?.[1];
    if (call) calls.push(call);
  });
  return calls;
}

test('the unclaim dialog starts on Cancel: Enter cancels, and it names the device', async ({ page }) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Devices');
  await page.getByLabel(`Select ${tokens[0]!.deviceId}`).check();
  await page.getByRole('button', { name: 'Unclaim…' }).click();
  const dialog = page.getByTestId('unclaim-dialog');
  await expect(dialog.getByTestId('unclaim-list')).toContainText(tokens[0]!.deviceId);
  await expect(dialog.getByTestId('unclaim-list')).toContainText(imeiOf(0));
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  const calls = callsFrom(page);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Unclaim…' })).toBeFocused();
  expect(calls).not.toContain('changeDevices');
  expect(waitingKinds()).toEqual([]);
});

test('unclaiming several devices needs their count typed', async ({ page }) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Devices');
  await page.getByRole('button', { name: 'Select all 3 shown' }).click();
  await expect(page.getByTestId('selection')).toHaveText('3 devices selected of 3 shown');
  await page.getByRole('button', { name: 'Unclaim…' }).click();
  const dialog = page.getByTestId('unclaim-dialog');
  for (const [i, t] of tokens.entries()) {
    await expect(dialog.getByTestId('unclaim-list')).toContainText(t.deviceId);
    await expect(dialog.getByTestId('unclaim-list')).toContainText(imeiOf(i));
  }
  const confirm = dialog.getByRole('button', { name: 'Unclaim 3 devices' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type 3 to unclaim all 3 devices').fill('2');
  await expect(confirm).toBeDisabled();
  // Enter in the count field does not confirm either.
  const calls = callsFrom(page);
  await dialog.getByLabel('Type 3 to unclaim all 3 devices').press('Enter');
  await expect(dialog).toBeVisible();
  await expect(confirm).toBeDisabled();
  expect(calls).not.toContain('changeDevices');
  expect(waitingKinds()).toEqual([]);
  await dialog.getByLabel('Type 3 to unclaim all 3 devices').fill('3');
  await confirm.click();
  await expect(page.getByTestId('devices-outcome')).toHaveText('Unclaim queued for 3 devices.');
  expect(waitingKinds().sort()).toEqual(tokens.map((t) => `unclaim ${t.deviceId}`).sort());
});

test('a selection never reaches devices the filters hide', async ({ page }) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Devices');
  // The filters offer the devices' tags from the first look.
  await page.getByLabel('Filter by tag').selectOption('customer');
  await expect(page.getByTestId('device-row')).toHaveCount(3);
  await page.getByLabel('Filter by tag').selectOption('');
  await page.getByLabel(`Select ${tokens[0]!.deviceId}`).check();
  await page.getByLabel(`Select ${tokens[1]!.deviceId}`).check();
  await expect(page.getByTestId('selection')).toHaveText('2 devices selected of 3 shown');
  // A search that hides the first: the selection goes, and with it every action.
  await page.getByLabel('Search (press /)').fill(tokens[1]!.deviceId.slice(0, 13));
  await expect(page.getByTestId('device-row')).toHaveCount(1);
  await expect(page.getByTestId('selection')).toHaveText('0 devices selected of 1 shown');
  await expect(page.getByRole('button', { name: 'Block', exact: true })).toBeDisabled();
  await page.getByLabel(`Select ${tokens[1]!.deviceId}`).check();
  await page.getByRole('button', { name: 'Block', exact: true }).click();
  await expect(page.getByTestId('devices-outcome')).toHaveText('Block queued for 1 device.');
  expect(waitingKinds()).toEqual([`block ${tokens[1]!.deviceId}`]);
});

test('add tag and remove tag keep the other tags; replacing them all is its own action', async ({ page }) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Devices');
  await page.getByLabel(`Select ${tokens[0]!.deviceId}`).check();
  await page.getByLabel(`Select ${tokens[1]!.deviceId}`).check();
  const tagDialog = page.getByTestId('tag-dialog');
  await page.getByRole('button', { name: 'Add or remove a tag…' }).click();
  // Several at once is what Replace all tags is for: the field says so, and nothing can be sent.
  await tagDialog.getByLabel("One tag (the devices' other tags stay)").fill('rack=9, rack=10');
  await expect(tagDialog.getByTestId('field-error')).toContainText('One tag at a time');
  await expect(tagDialog.getByRole('button', { name: 'Add to 2 devices' })).toBeDisabled();
  await tagDialog.getByLabel("One tag (the devices' other tags stay)").fill('rack=9');
  await tagDialog.getByLabel("One tag (the devices' other tags stay)").press('Enter');
  await expect(page.getByTestId('devices-outcome')).toHaveText('Adding “rack=9” queued for 2 devices.');
  await expect(row(page, tokens[0]!).getByTestId('device-tags')).toHaveText('location, customer, rack=9');

  await page.getByRole('button', { name: 'Add or remove a tag…' }).click();
  await tagDialog.getByLabel("One tag (the devices' other tags stay)").fill('customer');
  await tagDialog.getByRole('button', { name: 'Remove from 2 devices' }).click();
  await expect(row(page, tokens[1]!).getByTestId('device-tags')).toHaveText('location, rack=9');
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('sync-result')).toContainText(/: \d+ sent$/);
  for (const t of tokens.slice(0, 2))
    expect(sim.devices.get(t.deviceId)!.tags).toEqual(['location', 'rack=9']);
  expect(sim.devices.get(tokens[2]!.deviceId)!.tags).toEqual(['location', 'customer']);

  // Replace all: a separate button, a dialog that says every tag goes.
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await page.getByLabel(`Select ${tokens[2]!.deviceId}`).check();
  await page.getByRole('button', { name: 'Replace all tags…' }).click();
  const dialog = page.getByTestId('replace-tags-dialog');
  await expect(dialog).toContainText('Every tag these devices have now is removed');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByLabel('The new tags, separated by commas').fill('spare');
  await dialog.getByRole('button', { name: 'Replace the tags of 1 device' }).click();
  await expect(row(page, tokens[2]!).getByTestId('device-tags')).toHaveText('spare');
});

test('the detail panel has the device actions; removing a chip keeps the other tags', async ({ page }) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Devices');
  await row(page, tokens[0]!).getByRole('button', { name: tokens[0]!.deviceId }).click();
  const detail = page.getByTestId('device-detail');
  await detail.getByRole('button', { name: 'Remove the tag customer' }).click();
  await expect(detail.getByTestId('tag-chip')).toHaveText(['location']);
  await detail.getByLabel('Add a tag').fill('rack=2');
  await detail.getByLabel('Add a tag').press('Enter');
  await expect(detail.getByTestId('tag-chip')).toHaveText(['location', 'rack=2']);
  await detail.getByRole('button', { name: 'Block' }).click();
  await expect(detail.getByTestId('detail-status')).toHaveText('blocking…');
  expect(app.queue.list('pending').map((e) => e.kind)).toEqual(['set-tags', 'set-tags', 'block']);
});

test('a duplicate or invalid tag name shows its error beside the field and keeps it', async ({ page }) => {
  app.changes.createTag('zone=north');
  await openUi(page, ui.transport);
  await goTo(page, 'Tags');
  await expect(page.locator('[data-testid="tag-row"][data-tag="zone=north"]')).toBeVisible();
  const name = page.getByLabel('New tag');
  await name.fill('zone=north');
  const error = page.locator('[data-testid="field-error"]');
  await expect(error).toHaveText('the tag "zone=north" exists already');
  await expect(page.getByRole('button', { name: 'Create tag' })).toBeDisabled();
  // The list reloads (another change was queued): the error stays until the name is edited.
  app.changes.createTag('zone=south');
  await expect(page.locator('[data-testid="tag-row"][data-tag="zone=south"]')).toBeVisible();
  await expect(error).toHaveText('the tag "zone=north" exists already');
  await name.fill('a,b');
  await expect(error).toContainText('contains a comma');

  // Edit: the name field gets the focus; Escape puts things back.
  await page.getByRole('button', { name: 'Edit zone=north' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByLabel('Name', { exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Edit zone=north' })).toBeFocused();
});

test('the queue is searched by IMEI; discarding a claim asks first', async ({ page }) => {
  const waiting = [makeToken(), makeToken()];
  queueClaims(ui.dataDir, [waiting[0]!], { imei: '351358811111111' });
  queueClaims(ui.dataDir, [waiting[1]!], { imei: '351358822222222' });
  await openUi(page, ui.transport);
  await goTo(page, 'Queue');
  await expect(page.getByTestId('queue-row')).toHaveCount(2);
  await page.getByLabel('Search').fill('822222');
  await expect(page.getByTestId('queue-row')).toHaveCount(1);
  await expect(page.getByTestId('queue-row')).toHaveAttribute('data-device', waiting[1]!.deviceId);

  await page.getByRole('button', { name: `Discard ${waiting[1]!.deviceId}` }).click();
  const dialog = page.getByTestId('discard-dialog');
  await expect(dialog).toContainText('IMEI 351358822222222');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  const calls = callsFrom(page);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  expect(calls).not.toContain('discardEntry');
  expect(app.queue.list('pending')).toHaveLength(2);
  await page.getByRole('button', { name: `Discard ${waiting[1]!.deviceId}` }).click();
  await dialog.getByRole('button', { name: 'Discard the claim' }).click();
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  expect(app.queue.list('pending').map((e) => e.deviceId)).toEqual([waiting[0]!.deviceId]);
});

test('a failure says what to do, and Retry is offered only where it can help', async ({ page }) => {
  const theirs = makeToken();
  const tooLong = makeToken();
  sim.preclaim(theirs.token, 'team-2');
  queueClaims(ui.dataDir, [theirs]);
  queueClaims(ui.dataDir, [tooLong], { tags: ['x'.repeat(101)] });
  await app.sync.run();
  await openUi(page, ui.transport);
  await goTo(page, 'Queue');
  const failed = (t: MadeToken) => page.locator(`[data-testid="queue-row"][data-device="${t.deviceId}"]`);
  await expect(failed(theirs).getByTestId('failure-hint')).toContainText('ask them to unclaim it');
  await expect(failed(theirs).getByRole('button', { name: /^Retry/ })).toHaveCount(0);
  await expect(failed(tooLong).getByRole('button', { name: `Retry ${tooLong.deviceId}` })).toBeVisible();

  await page.getByRole('button', { name: 'Retry all failed' }).click();
  await expect(page.getByTestId('queue-outcome')).toHaveText(
    '1 back in line; 1 stay failed (see each for why).',
  );
  expect(app.queue.list('failed').map((e) => e.deviceId)).toEqual([theirs.deviceId]);
});

test('removing the key asks first; serial defaults are saved as they change, said beside their form', async ({
  page,
}) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Settings');
  await page.getByRole('button', { name: 'Remove key…' }).click();
  const dialog = page.getByTestId('remove-key-dialog');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  const calls = callsFrom(page);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  expect(calls).not.toContain('clearApiKey');
  expect((await app.status.current()).key.stored).toBe(true);
  await page.getByRole('button', { name: 'Remove key…' }).click();
  await dialog.getByRole('button', { name: 'Remove the key' }).click();
  await expect(page.getByTestId('key-message')).toContainText('Key removed');
  expect((await app.status.current()).key.stored).toBe(false);

  await page.getByLabel('Baud rate').selectOption('1000000');
  await page.getByLabel('Line ending sent after each command').selectOption('cr');
  await page.getByRole('switch', { name: 'Hardware flow control (RTS/CTS)' }).check();
  await page.getByLabel('Read deadline (seconds)').fill('200');
  await expect(page.getByText('Read deadline (seconds): from 0.1 to 120')).toBeVisible();
  await page.getByLabel('Read deadline (seconds)').fill('8');
  await page.getByLabel('Read deadline (seconds)').press('Tab');
  // Saved as they change: nothing waits on a button that could be forgotten.
  await expect(page.getByTestId('serial-message')).toContainText('every read from now on uses these');
  expect(app.settings.get()).toMatchObject({
    baudRate: 1_000_000,
    lineEnding: 'cr',
    rtscts: true,
    timeoutMs: 8000,
  });
});
