import { expect, test } from '@playwright/test';
import { keytarBackend } from '../../electron/adapters/secrets/key-store';
import { Fieldclaim } from '../../electron/services/fieldclaim';
import { ApiSimulator, isChange } from '../support/api-sim';
import { plugInBoard } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { goTo } from './screens';
import { openUi, TestTransport } from '../support/test-transport';

const KEY = 'e2e-key-6c1f0a';
let sim: ApiSimulator;
let board: Awaited<ReturnType<typeof plugInBoard>>;
let dir: ReturnType<typeof tempDir>;
let app: Fieldclaim;
let transport: TestTransport;

test.beforeAll(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  board = await plugInBoard({ deviceType: 4, model: 'nRF9161-LACA' });
  dir = tempDir();
  // The real keychain where a Secret Service runs (the test command starts one); memory otherwise.
  app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: keytarBackend(),
    userAgent: 'Fieldclaim/e2e',
    // The pty is listed but not recognised (no USB serial number): the test types its path, as a
    // technician does for a port the app cannot recognise. The window may read only listed ports.
    listPorts: async () => [{ path: board.pty.appPath }],
    // Pointed at the simulator as a developer's build is (the window cannot change it).
    settingsOverrides: { apiUrl: sim.baseUrl },
  });
  await app.keys.clear();
  transport = await new TestTransport(app).start();
});

test.afterAll(async () => {
  await app.keys.clear();
  await transport.stop();
  app.close();
  await board.unplug();
  await sim.stop();
  dir.remove();
});

test('scan -> queue -> sync -> claimed, through the real services', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  await openUi(page, transport);

  // Settings: hand over the key (write-only).
  await goTo(page, 'Settings');
  await expect(page.getByText(`Using ${sim.baseUrl}`)).toBeVisible();
  await page.getByLabel('Paste a new key').fill(KEY);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByTestId('settings-key-status')).toContainText('A key is stored');
  await expect(page.getByLabel('Paste a new key')).toHaveValue('');

  // Station: read the board on its pty.
  await goTo(page, 'Station');
  await page.getByLabel('Tags for this session').fill('site=e2e, batch-1');
  await page.getByLabel('Port path or USB serial number').fill(board.pty.appPath);
  await page.getByLabel('Port path or USB serial number').press('Enter');
  const tile = page.getByTestId('port-tile').filter({ hasText: board.pty.appPath });
  await expect(tile.locator('[data-state]')).toHaveAttribute('data-state', 'queued');
  await expect(tile.getByTestId('imei')).toHaveText('351358815178345');
  await expect(tile.getByTestId('device-id')).toContainText(board.modem.config.deviceId.split('-')[0]!);

  // Queue: the claim waits.
  await goTo(page, 'Queue');
  const row = page.locator(`[data-testid="queue-row"][data-device="${board.modem.config.deviceId}"]`);
  await expect(row).toHaveAttribute('data-state', 'pending');
  await expect(row).toContainText('pending');
  await expect(page.getByTestId('outbox-counts')).toContainText('1 pending');

  // Sync: claimed.
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('sync-result')).toContainText(': 1 sent');
  // Sent: it leaves the open list, and shows as done among all entries.
  await expect(row).toHaveCount(0);
  await page.getByLabel('Show').selectOption('all');
  await expect(row).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('outbox-counts')).toContainText('0 pending');
  expect(sim.effectCount('claim', board.modem.config.deviceId)).toBe(1);

  // Devices: the service's copy, with the tags.
  await goTo(page, 'Devices');
  const device = page.locator(`[data-testid="device-row"][data-device="${board.modem.config.deviceId}"]`);
  await expect(device).toContainText('READY');
  await expect(device.getByTestId('device-tags')).toHaveText('site=e2e, batch-1');
  expect(consoleErrors).toEqual([]);
});

test('a refused key pauses the sync and says why, keeping the claim', async ({ page }) => {
  await app.keys.set('not-a-valid-key');
  const second = await plugInBoard();
  try {
    await app.station.read({ port: second.pty.appPath, tags: [], mode: 'at' });
    await openUi(page, transport);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.locator('[data-problem="key-rejected"]')).toContainText(
      'Key refused: enter a new key in Settings',
    );
    await goTo(page, 'Queue');
    await expect(
      page.locator(`[data-testid="queue-row"][data-device="${second.modem.config.deviceId}"]`),
    ).toHaveAttribute('data-state', 'pending');
  } finally {
    await second.unplug();
  }
});

test('a 429 pauses the queue and the status bar says until when', async ({ page }) => {
  await app.keys.set(KEY);
  const third = await plugInBoard();
  try {
    await app.station.read({ port: third.pty.appPath, tags: [], mode: 'at' });
    sim.faults.push({ kind: 'status', status: 429, retryAfter: '3600', when: isChange });
    const waiting = (await app.status.current()).outbox.pending;
    expect(waiting).toBeGreaterThan(0);
    await openUi(page, transport);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.locator('[data-problem="rate-limited"]')).toContainText('Rate limited until');
    await expect(page.getByTestId('connection')).toContainText('Online');
    // Nothing was dropped.
    await expect(page.getByTestId('outbox-counts')).toContainText(`${waiting} pending`);
  } finally {
    await third.unplug();
  }
});
