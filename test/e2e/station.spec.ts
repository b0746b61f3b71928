import { expect, test } from '@playwright/test';
import { Fieldclaim } from '../../electron/services/fieldclaim';
import { memorySecretBackend, plugInBoard } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { openUi, TestTransport } from '../support/test-transport';

type Board = Awaited<ReturnType<typeof plugInBoard>>;
let boards: Board[];
let dir: ReturnType<typeof tempDir>;
let app: Fieldclaim;
let transport: TestTransport;
const plugged: Array<{ path: string; serialNumber: string }> = [];

test.beforeAll(async () => {
  boards = [await plugInBoard({ dialect: 'shell', ansi: true }), await plugInBoard({ silent: true })];
  dir = tempDir();
  app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(),
    userAgent: 'Fieldclaim/e2e',
    // USB enumeration cannot be imitated with ptys: the boards "appear" through this list.
    listPorts: async () => plugged.map((p) => ({ ...p, interfaceNumber: 0 })),
  });
  app.updateSettings({ timeoutMs: 1500, siteTags: ['location=Trondheim'] });
  transport = await new TestTransport(app).start();
});

test.afterAll(async () => {
  await transport.stop();
  app.close();
  await Promise.all(boards.map((b) => b.unplug()));
  dir.remove();
});

test('watching for boards shows each port live: queued, or an error with what to do', async ({ page }) => {
  await openUi(page, transport);
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
  expect(app.queue().map((e) => e.deviceId)).toEqual([shell.modem.config.deviceId]);
});
