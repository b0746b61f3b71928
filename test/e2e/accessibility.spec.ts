import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ApiSimulator } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { SimulatedBench } from '../support/scene';
import { memorySecretBackend } from '../support/station';
import { openUi, startUi } from '../support/test-transport';
import { makeToken } from '../support/tokens';
import { goTo } from './screens';

/**
 * axe-core on every screen in its main states, light and dark: no serious or critical violation.
 * Each check prints its counts (`axe: <state> <scheme>: ...`), the record the README's table is from.
 */
async function noSeriousViolations(page: Page, state: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const scheme = await page.evaluate(() =>
    matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  );
  console.log(
    `axe: ${state} (${scheme}): ${serious.length} serious/critical, ${violations.length - serious.length} minor/moderate` +
      (violations.length ? ` [${violations.map((v) => `${v.id}:${v.impact}`).join(', ')}]` : ''),
  );
  expect(
    serious.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(' | ')}`,
    ),
    `${state}, ${scheme}`,
  ).toEqual([]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme, viewport: { width: 1366, height: 768 } });

    test('first run: the checklist, an empty station, no key', async ({ page }) => {
      const ui = await startUi();
      try {
        // A claim waits and there is no key: the strip's problem in its danger colour.
        queueClaims(ui.dataDir, [makeToken()]);
        await openUi(page, ui.transport);
        await expect(page.getByTestId('first-run')).toBeVisible();
        await expect(page.locator('[data-problem="no-key"]')).toHaveClass(/danger/);
        await noSeriousViolations(page, 'Station, first run');
        for (const screen of ['Queue', 'Devices', 'Tags', 'Settings'] as const) {
          await goTo(page, screen);
          await expect(page.getByRole('heading', { level: 1, name: screen })).toBeVisible();
          await noSeriousViolations(page, `${screen}, empty`);
        }
      } finally {
        await ui.close();
      }
    });

    test('at work: boards read, a queue, claimed devices, tags, problems in the strip', async ({ page }) => {
      const sim = await new ApiSimulator().start();
      sim.addKey('k');
      const bench = new SimulatedBench();
      const ui = await startUi({
        secretBackend: memorySecretBackend('k'),
        settingsOverrides: { apiUrl: sim.baseUrl },
        listPorts: bench.listPorts,
      });
      try {
        const { app } = ui;
        app.settings.update({ timeoutMs: 1500, siteTags: ['location=Trondheim'], sessionTags: ['batch-7'] });
        const claimed = Array.from({ length: 5 }, () => makeToken());
        const elsewhere = makeToken();
        sim.preclaim(elsewhere.token, 'team-2');
        queueClaims(ui.dataDir, [...claimed, elsewhere], { tags: ['zone=north'] });
        await app.sync.run({ refresh: true });
        queueClaims(ui.dataDir, [makeToken(), makeToken()]);
        bench.extraPorts.push({ path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' });
        const good = await bench.add({ config: {}, usb: { serialNumber: '001051200081' } });
        const silent = await bench.add({ config: { silent: true }, usb: { serialNumber: '001051200082' } });
        await sim.stop(); // offline from here: the strip says so

        await openUi(page, ui.transport);
        await expect(
          page.locator(`[data-testid="port-tile"][data-port="${good.path}"] [data-state="queued"]`),
        ).toBeVisible();
        await expect(
          page.locator(`[data-testid="port-tile"][data-port="${silent.path}"] [data-state="error"]`),
        ).toBeVisible();
        await expect(page.locator('[data-problem="failed"]')).toBeVisible();
        await noSeriousViolations(page, 'Station, boards read');

        await page.getByLabel('Tags for this session').fill('x'.repeat(101));
        await expect(page.getByTestId('field-error')).toBeVisible();
        await noSeriousViolations(page, 'Station, a field in error');
        await page.getByLabel('Tags for this session').fill('batch-7');

        await page.getByRole('button', { name: 'Sync now' }).click();
        await expect(page.locator('[data-problem="offline"]')).toBeVisible();
        await noSeriousViolations(page, 'Station, offline with a refused claim');

        await goTo(page, 'Queue');
        await expect(page.locator('[data-testid="queue-row"][data-state="failed"]')).toBeVisible();
        await expect(page.getByTestId('failure-hint')).toBeVisible();
        await noSeriousViolations(page, 'Queue, entries');
        await page
          .getByRole('button', { name: /^Discard / })
          .first()
          .click();
        await expect(page.getByTestId('discard-dialog')).toBeVisible();
        await noSeriousViolations(page, 'Queue, discard confirmation');
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Export…' }).click();
        await expect(page.getByTestId('export-dialog')).toBeVisible();
        await noSeriousViolations(page, 'Queue, export');
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Import tokens…' }).click();
        await page.getByLabel('Or paste tokens, one per line').fill(`${makeToken().token}\nnot-a-token\n`);
        await page.getByRole('button', { name: 'Preview pasted tokens' }).click();
        await expect(page.getByTestId('import-preview')).toBeVisible();
        await noSeriousViolations(page, 'Queue, import preview');
        await page.keyboard.press('Escape');
        await expect(page.getByTestId('import-dialog')).toBeHidden();

        await goTo(page, 'Devices');
        await expect(page.getByTestId('device-row').first()).toBeVisible();
        await page.getByLabel(`Select ${claimed[0]!.deviceId}`).check();
        await noSeriousViolations(page, 'Devices, a device selected');
        await page.getByRole('button', { name: claimed[1]!.deviceId }).click();
        await expect(page.getByTestId('device-detail')).toBeVisible();
        await noSeriousViolations(page, 'Devices, detail');
        await page.getByTestId('device-detail').getByRole('button', { name: 'Unclaim…' }).click();
        await expect(page.getByTestId('unclaim-dialog')).toBeVisible();
        await noSeriousViolations(page, 'Devices, unclaim confirmation');
        await page.keyboard.press('Escape');
        await expect(page.getByTestId('unclaim-dialog')).toBeHidden();
        await page.getByRole('button', { name: 'Add or remove a tag…' }).click();
        await page.getByLabel("One tag (the devices' other tags stay)").fill('a, b');
        await expect(page.getByTestId('tag-dialog').getByTestId('field-error')).toBeVisible();
        await noSeriousViolations(page, 'Devices, add or remove a tag');
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Replace all tags…' }).click();
        await expect(page.getByTestId('replace-tags-dialog')).toBeVisible();
        await noSeriousViolations(page, 'Devices, replace all tags');
        await page.keyboard.press('Escape');
        await page.getByLabel('Search (press /)').fill('no such device');
        await expect(page.getByTestId('devices-empty')).toBeVisible();
        await noSeriousViolations(page, 'Devices, nothing matches');

        await goTo(page, 'Tags');
        await expect(page.getByTestId('tag-row').first()).toBeVisible();
        await noSeriousViolations(page, 'Tags, list');
        await page.getByRole('button', { name: 'Delete… zone=north' }).click();
        await expect(page.getByTestId('delete-tag-dialog')).toBeVisible();
        await noSeriousViolations(page, 'Tags, delete confirmation');
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Edit zone=north' }).click();
        await noSeriousViolations(page, 'Tags, editing');

        await goTo(page, 'Settings');
        await page.getByLabel('Site tags').fill(`a,${'y'.repeat(120)}`);
        await expect(page.getByTestId('field-error')).toBeVisible();
        await noSeriousViolations(page, 'Settings, a field in error');
        await page.getByRole('button', { name: 'Remove key…' }).click();
        await expect(page.getByTestId('remove-key-dialog')).toBeVisible();
        await noSeriousViolations(page, 'Settings, remove the key');
      } finally {
        await ui.close();
        await bench.close();
        await sim.stop();
      }
    });
  });
}
