import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ApiSimulator } from '../support/api-sim';
import { SimulatedBench } from '../support/scene';
import { memorySecretBackend } from '../support/station';
import { openUi, startUi } from '../support/test-transport';
import { makeToken } from '../support/tokens';
import { queueClaims } from '../support/queue';

/**
 * Regenerates docs/screenshots/: each screen at 1366x768 in a realistic state (a session of reads,
 * a queue, claimed devices, tags), the Station also dark, at 1024x700 and at 150% zoom. Real
 * services, simulated boards and API, as in the browser tests.
 */
const out = join(__dirname, '../../docs/screenshots');
const KEY = 'screenshot-key';
let sim: ApiSimulator;
let bench: SimulatedBench;
let ui: Awaited<ReturnType<typeof startUi>>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  bench = new SimulatedBench();
  ui = await startUi({
    secretBackend: memorySecretBackend(KEY),
    settingsOverrides: { apiUrl: sim.baseUrl },
    listPorts: bench.listPorts,
  });
  const { app } = ui;
  app.settings.update({
    siteTags: ['location=Trondheim', 'customer=Acme'],
    sessionTags: ['batch-7'],
    timeoutMs: 600,
  });
  // Claimed earlier: the Devices and Tags screens have something to show.
  const earlier = Array.from({ length: 12 }, (_, i) => makeToken({ deviceType: i % 3 === 0 ? 4 : 6 }));
  queueClaims(ui.dataDir, earlier, {
    tags: (i) => ['location=Trondheim', i % 2 ? 'zone=north' : 'zone=south'],
  });
  await app.sync.run({ refresh: true });
  app.changes.createTag('customer=Acme', 'Acme Corp. installations');

  const fine = await bench.add({
    config: { dialect: 'shell', deviceType: 6 },
    usb: { serialNumber: '001051200011' },
  });
  await bench.add({
    config: { deviceType: 4, model: 'nRF9161-LACA' },
    usb: { serialNumber: '001050900012' },
  });
  await bench.add({ config: { silent: true }, usb: { serialNumber: '001051200013' } });
  // Listed, never read: the fine board's second port, a kit with no nRF91, an FTDI adapter.
  bench.extraPorts.push(
    { path: '/dev/ttyACM9', serialNumber: '001051200011', interfaceNumber: 2 },
    { path: '/dev/ttyACM4', serialNumber: '001050012345', interfaceNumber: 0 },
    { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' },
  );
  // The watch reads every board there at start-up; then the fine one again (a duplicate).
  await expect.poll(() => app.station.view().session.length, { timeout: 20_000 }).toBe(3);
  await app.station.read({ port: fine.path, tags: [], mode: 'auto' });
  // Two refusals: a device another team owns (no Retry) and a tag the service refuses (Retry).
  const theirs = makeToken();
  sim.preclaim(theirs.token, 'team-2');
  queueClaims(ui.dataDir, [theirs], { tags: ['location=Trondheim'] });
  queueClaims(ui.dataDir, [makeToken()], { tags: ['x'.repeat(101)] });
  await app.sync.run();
  // Waiting claims: the strip's counts, the Queue screen's rows.
  queueClaims(
    ui.dataDir,
    Array.from({ length: 4 }, () => makeToken()),
    { tags: ['location=Trondheim', 'batch-6'] },
  );
});

test.afterAll(async () => {
  await ui.close();
  await bench.close();
  await sim.stop();
});

async function shoot(page: Page, screen: string, file: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
  await expect(page.getByRole('heading', { level: 1, name: screen })).toBeVisible();
  await page.screenshot({ path: join(out, file) });
}

test('every screen at 1366x768, light', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openUi(page, ui.transport);
  await expect(page.getByTestId('port-tile').first()).toBeVisible();
  for (const screen of ['Station', 'Queue', 'Devices', 'Tags', 'Settings'])
    await shoot(page, screen, `${screen.toLowerCase()}.png`);
});

test('the Station dark, at 1024x700, and at 150% zoom', async ({ browser }) => {
  for (const [file, options] of [
    ['station-dark.png', { viewport: { width: 1366, height: 768 }, colorScheme: 'dark' as const }],
    ['station-1024x700.png', { viewport: { width: 1024, height: 700 } }],
    ['station-zoom150.png', { viewport: { width: 911, height: 512 }, deviceScaleFactor: 1.5 }],
    // A 1024x700 window at 150%: 683x467 CSS pixels, the compact rail.
    ['station-1024x700-zoom150.png', { viewport: { width: 683, height: 467 }, deviceScaleFactor: 1.5 }],
  ] as const) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await openUi(page, ui.transport);
    await expect(page.getByTestId('port-tile').first()).toBeVisible();
    await page.screenshot({ path: join(out, file) });
    await context.close();
  }
});

test('Queue and Devices as they are used: at 150% zoom, dark, the detail, the dialogs', async ({
  browser,
}) => {
  const views = [
    ['', { viewport: { width: 1366, height: 768 } }],
    ['-1024x700', { viewport: { width: 1024, height: 700 } }],
    ['-zoom150', { viewport: { width: 911, height: 512 }, deviceScaleFactor: 1.5 }],
    ['-dark', { viewport: { width: 1366, height: 768 }, colorScheme: 'dark' as const }],
  ] as const;
  for (const [suffix, options] of views) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await openUi(page, ui.transport);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Queue' }).click();
    await expect(page.getByTestId('failure-hint').first()).toBeVisible();
    if (suffix) await page.screenshot({ path: join(out, `queue${suffix}.png`) });
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Devices' }).click();
    const first = page.getByTestId('device-row').first();
    await first.getByRole('checkbox').check();
    await page.getByTestId('device-row').nth(1).getByRole('checkbox').check();
    await first.getByRole('button').click();
    await expect(page.getByTestId('detail-status')).toBeVisible();
    await page.screenshot({ path: join(out, `devices-detail${suffix}.png`) });
    await page.getByTestId('device-detail').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Unclaim…' }).click();
    await expect(page.getByTestId('unclaim-list')).toContainText('-');
    await page.screenshot({ path: join(out, `unclaim-dialog${suffix}.png`) });
    await page.keyboard.press('Escape');
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await openUi(page, ui.transport);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Queue' }).click();
  await page.getByRole('button', { name: 'Import tokens…' }).click();
  await page.getByLabel('Or paste tokens, one per line').fill(`${makeToken().token}\nnot-a-token\n`);
  await page.getByRole('button', { name: 'Preview pasted tokens' }).click();
  await expect(page.getByTestId('import-preview')).toBeVisible();
  await page.screenshot({ path: join(out, 'import-dialog.png') });
  await context.close();
});
