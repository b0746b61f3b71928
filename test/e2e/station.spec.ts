import { expect, test } from '@playwright/test';
import type { Fieldclaim } from '../../electron/services/fieldclaim';
import { plugInBoard } from '../support/station';
import { openUi, startUi } from '../support/test-transport';

type Board = Awaited<ReturnType<typeof plugInBoard>>;
let boards: Board[];
let ui: Awaited<ReturnType<typeof startUi>>;
let app: Fieldclaim;
const plugged: Array<{ path: string; serialNumber: string }> = [];

test.beforeAll(async () => {
  boards = [await plugInBoard({ dialect: 'shell', ansi: true }), await plugInBoard({ silent: true })];
  ui = await startUi({
    // USB enumeration cannot be imitated with ptys: the boards "appear" through this list.
    listPorts: async () => plugged.map((p) => ({ ...p, interfaceNumber: 0 })),
  });
  app = ui.app;
  app.settings.update({ timeoutMs: 1500, siteTags: ['location=Trondheim'] });
});

test.afterAll(async () => {
  await ui.close();
  await Promise.all(boards.map((b) => b.unplug()));
});

test('watching for boards shows each port live: queued, or an error with what to do', async ({ page }) => {
  await openUi(page, ui.transport);
  await expect(page.getByText('Plug in a board')).toBeVisible();
  await page.getByLabel('Watch for new boards').check();

  const [shell, silent] = boards as [Board, Board];
  plugged.push(
    { path: shell.pty.appPath, serialNumber: '001051200011' },
    { path: silent.pty.appPath, serialNumber: '001051200012' },
  );

  const good = page.locator(`[data-testid="port-tile"][data-port="${shell.pty.appPath}"]`);
  await expect(good).toContainText('nRF9151 DK');
  await expect(good.locator('[data-state]')).toHaveAttribute('data-state', 'queued');
  await expect(good.getByTestId('imei')).toHaveText('351358815178345');
  await expect(good).toContainText('Zephyr shell');
  await expect(good).toContainText('location=Trondheim');

  const bad = page.locator(`[data-testid="port-tile"][data-port="${silent.pty.appPath}"]`);
  await expect(bad.locator('[data-state]')).toHaveAttribute('data-state', 'error');
  await expect(bad.getByTestId('tile-error')).toContainText(silent.pty.appPath);
  await expect(bad.getByTestId('tile-error')).toContainText('reset button');

  await page.getByLabel('Watch for new boards').uncheck();
  await expect(page.getByLabel('Watch for new boards')).not.toBeChecked();
  expect(app.queue.list().map((e) => e.deviceId)).toEqual([shell.modem.config.deviceId]);
});
