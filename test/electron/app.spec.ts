import { resolve } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { channels, type FieldclaimApi } from '../../electron/shared/contract';
import { ApiSimulator } from '../support/api-sim';
import { electronBinary, noElectronReason } from '../support/electron-binary';
import { plugInBoard } from '../support/station';
import { tempDir } from '../support/temp-dir';

declare global {
  interface Window {
    api: FieldclaimApi;
  }
}

const binary = electronBinary();
test.skip(!binary, noElectronReason);

const KEY = 'electron-e2e-key';
let sim: ApiSimulator;
let data: ReturnType<typeof tempDir>;
let app: ElectronApplication;
let page: Page;

test.beforeAll(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  data = tempDir();
  app = await electron.launch({
    executablePath: binary!,
    args: [resolve(__dirname, '../../out/main/index.js'), `--user-data-dir=${data.path}`],
    // A development build may be pointed at the simulator; a packaged one never.
    env: { ...process.env, FIELDCLAIM_API_URL: sim.baseUrl },
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
  await sim?.stop();
  data?.remove();
});

test('opens one boxed-in window with the bridge, and the CSP in force', async () => {
  await expect(page.getByRole('heading', { name: 'Station' })).toBeVisible();
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  expect(await page.evaluate(() => Object.keys(window.api).sort())).toEqual([...channels, 'on'].sort());
  // Context isolation and no Node in the page; no eval: the CSP header and meta tag are in force.
  expect(
    await page.evaluate(() =>
      ['require', 'process', 'ipcRenderer'].map(
        (name) => typeof (globalThis as Record<string, unknown>)[name],
      ),
    ),
  ).toEqual(['undefined', 'undefined', 'undefined']);
  expect(
    await page.evaluate(() => {
      try {
        return String(eval('1 + 1'));
      } catch {
        return 'blocked';
      }
    }),
  ).toBe('blocked');
  expect(await page.evaluate(() => window.api.getStatus({}))).toMatchObject({ ok: true });
});

test('reads a board, queues its claim and syncs it, through the real IPC', async () => {
  test.skip(process.platform === 'win32', 'virtual serial ports need socat (Linux, macOS)');
  const board = await plugInBoard();
  try {
    expect(await page.evaluate((key) => window.api.setApiKey({ key }), KEY)).toMatchObject({ ok: true });
    const read = await page.evaluate(
      (port) => window.api.readPort({ port, tags: ['site=electron'] }),
      board.pty.appPath,
    );
    expect(read).toMatchObject({ ok: true, value: { deviceId: board.modem.config.deviceId, queued: true } });
    const synced = await page.evaluate(() => window.api.sync({}));
    expect(synced).toMatchObject({ ok: true, value: { succeeded: 1, failed: 0, stopped: null } });
    expect(sim.effectCount('claim', board.modem.config.deviceId)).toBe(1);
    // The app never sent the key anywhere but the simulator it was pointed at.
    expect(sim.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true);
  } finally {
    await board.unplug();
  }
});
