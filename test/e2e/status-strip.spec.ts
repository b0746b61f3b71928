import { expect, test, type Page } from '@playwright/test';
import { ApiSimulator } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { memorySecretBackend } from '../support/station';
import { openUi, startUi } from '../support/test-transport';
import { makeToken } from '../support/tokens';
import { goTo } from './screens';

const KEY = 'strip-key';
let sim: ApiSimulator;
let ui: Awaited<ReturnType<typeof startUi>> | null = null;

test.beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
});
test.afterEach(async () => {
  await ui?.close();
  ui = null;
  await sim.stop();
});

/** The strip is on screen, whole, at the window's bottom edge, and its Sync button can be pressed. */
async function stripInView(page: Page) {
  const strip = page.getByTestId('status-strip');
  await expect(strip).toBeInViewport({ ratio: 1 });
  const box = await strip.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box && Math.round(box.y + box.height)).toBe(viewport.height);
  await expect(strip.getByRole('button', { name: /Sync now|Syncing/ })).toBeInViewport({ ratio: 1 });
}

test('a key refused by auto sync shows in the strip without any click, and the link leads to Settings', async ({
  page,
}) => {
  ui = await startUi({
    secretBackend: memorySecretBackend('expired-key'),
    settingsOverrides: { apiUrl: sim.baseUrl },
  });
  queueClaims(ui.dataDir, [makeToken(), makeToken()]);
  // As the desktop app does at start-up, at test speed.
  ui.app.sync.startAuto(300);
  await openUi(page, ui.transport);

  const problem = page.locator('[data-problem="key-rejected"]');
  await expect(problem).toHaveText('Key refused: enter a new key in Settings');
  await expect(page.getByTestId('key-status')).toHaveText('Key refused');
  await expect(page.getByTestId('outbox-counts')).toContainText('2 pending');
  await expect(page.getByTestId('connection')).toContainText('Online');

  await problem.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await page.getByLabel('Paste a new key').fill(KEY);
  await page.getByRole('button', { name: 'Save key' }).click();
  // A new key lifts the refusal at once, and auto sync sends what waited.
  await expect(problem).toHaveCount(0);
  await expect(page.getByTestId('outbox-counts')).toContainText('0 pending · 0 failed · 2 done today');
});

test('a captive portal is named as such, in danger colour, until the API answers again', async ({ page }) => {
  ui = await startUi({ secretBackend: memorySecretBackend(KEY), settingsOverrides: { apiUrl: sim.baseUrl } });
  queueClaims(ui.dataDir, [makeToken()]);
  sim.standing = { kind: 'web-page', status: 200 };
  ui.app.sync.startAuto(200);
  await openUi(page, ui.transport);
  const problem = page.locator('[data-problem="not-api"]');
  await expect(problem).toContainText('A web page answers instead of nRF Cloud');
  await expect(page.getByTestId('connection')).toContainText('Offline (a web page answers)');
  sim.standing = null;
  await expect(problem).toHaveCount(0);
  await expect(page.getByTestId('connection')).toContainText('Online');
  await expect(page.getByTestId('outbox-counts')).toContainText('1 done today');
});

test('during a sync the strip says online and the counts fall as the progress fills', async ({ page }) => {
  ui = await startUi({
    secretBackend: memorySecretBackend(KEY),
    settingsOverrides: { apiUrl: sim.baseUrl },
    bulkBatchSize: 10,
  });
  const total = 300;
  queueClaims(
    ui.dataDir,
    Array.from({ length: total }, () => makeToken()),
  );
  sim.latencyMs = 150;
  await openUi(page, ui.transport);
  await expect(page.getByTestId('outbox-counts')).toContainText(`${total} pending`);
  await page.getByRole('button', { name: 'Sync now' }).click();

  // One look at the strip while the sync runs: progress, connection and counts agree.
  await expect
    .poll(
      () =>
        page.getByTestId('status-strip').evaluate((strip, all) => {
          const progress = strip.querySelector('[data-testid="sync-progress"]')?.textContent ?? '';
          const count = (state: string) =>
            Number(
              new RegExp(`([\\d,]+) ${state}`).exec(strip.textContent ?? '')?.[1]?.replace(/,/g, '') ?? 0,
            );
          const waiting = count('pending') + count('sending');
          return {
            filling: progress.endsWith(` / ${all} changes`),
            connection: strip.querySelector('[data-testid="connection"]')?.textContent?.trim(),
            countsFalling: waiting > 0 && waiting < all,
          };
        }, total),
      { timeout: 20_000, intervals: [100] },
    )
    .toEqual({ filling: true, connection: 'Online', countsFalling: true });
  await expect(page.getByTestId('outbox-counts')).toContainText(
    `0 pending · 0 failed · ${total} done today`,
    {
      timeout: 30_000,
    },
  );
  await expect(page.getByTestId('sync-progress')).toHaveCount(0);
});

for (const [name, viewport, scale] of [
  ['1366x768', { width: 1366, height: 768 }, 1],
  ['1024x700', { width: 1024, height: 700 }, 1],
  // 150% zoom: the CSS pixels of a 1024x700 window shrink by 1.5.
  ['1024x700 at 150% zoom', { width: 683, height: 467 }, 1.5],
] as const) {
  test(`the strip stays in view at ${name} with 20 tiles and a 5,000-entry queue`, async ({ browser }) => {
    const ports = Array.from({ length: 20 }, (_, i) => ({
      path: `/dev/ttyACM${i}`,
      serialNumber: `0010512000${String(i).padStart(2, '0')}`,
      interfaceNumber: 0,
    }));
    ui = await startUi(
      {
        secretBackend: memorySecretBackend(KEY),
        settingsOverrides: { apiUrl: sim.baseUrl },
        listPorts: async () => ports,
      },
      null,
    );
    ui.app.settings.update({ watch: false, siteTags: ['location=Trondheim', 'customer=Acme'] });
    ui.app.startStation(200);
    queueClaims(
      ui.dataDir,
      Array.from({ length: 5000 }, () => makeToken()),
    );
    const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
    const page = await context.newPage();
    try {
      await openUi(page, ui.transport);
      await expect(page.getByTestId('port-tile')).toHaveCount(20);
      await expect(page.getByTestId('outbox-counts')).toContainText('5,000 pending');
      await stripInView(page);
      // The content scrolls on its own; the strip and the rail stay.
      await page
        .getByTestId('content')
        .evaluate((content) => content.scrollTo({ top: content.scrollHeight }));
      await expect(page.getByTestId('port-tile').last()).toBeInViewport();
      await stripInView(page);
      await expect(page.getByRole('navigation', { name: 'Screens' })).toBeInViewport();
      await goTo(page, 'Queue');
      await expect(page.getByTestId('queue-row').first()).toBeVisible();
      await stripInView(page);
    } finally {
      await context.close();
    }
  });
}
