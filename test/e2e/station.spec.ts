import { expect, test, type Page } from '@playwright/test';
import { SimulatedBench } from '../support/scene';
import { openUi, startUi } from '../support/test-transport';
import { makeToken } from '../support/tokens';
import { goTo } from './screens';

let bench: SimulatedBench;
let ui: Awaited<ReturnType<typeof startUi>>;

test.beforeEach(async () => {
  bench = new SimulatedBench();
  // As the desktop app starts: the port list live, the watch on (the default), the site's tags set.
  ui = await startUi({ listPorts: bench.listPorts });
  ui.app.settings.update({ timeoutMs: 1500, siteTags: ['location=Trondheim'] });
});

test.afterEach(async () => {
  await ui.close();
  await bench.close();
});

const tile = (page: Page, path: string) => page.locator(`[data-testid="port-tile"][data-port="${path}"]`);
const stateOf = (page: Page, path: string) => tile(page, path).locator('[data-state]');

test('a board plugged in with the watch on (by default) is read with the site and session tags, heard and seen', async ({
  page,
}) => {
  await openUi(page, ui.transport);
  await expect(page.getByRole('switch', { name: 'Watch for new boards' })).toBeChecked();
  await page.getByLabel('Tags for this session').fill('batch-7');
  await page.getByLabel('Tags for this session').press('Enter');
  await expect(page.getByTestId('applied-tags')).toContainText('location=Trondheim');
  await expect(page.getByTestId('applied-tags')).toContainText('batch-7');

  const board = await bench.add(
    { config: { dialect: 'shell', ansi: true }, usb: { serialNumber: '001051200011' } },
    false,
  );
  await expect(tile(page, board.path)).toHaveCount(0);
  board.plug();

  // No button pressed: the port appears, is read, and says so.
  await expect(stateOf(page, board.path)).toHaveAttribute('data-state', 'queued');
  await expect(tile(page, board.path)).toContainText('nRF9151 DK');
  await expect(tile(page, board.path).getByTestId('serial-number')).toHaveText('001051200011');
  await expect(tile(page, board.path).getByTestId('tile-tags')).toHaveText('location=Trondheim, batch-7');
  await expect(page.getByTestId('live-region')).toContainText(
    `Queued: device ${board.board.modem.config.deviceId.slice(0, 8)}`,
  );
  await expect(page.getByTestId('flash')).toHaveAttribute('data-outcome', 'success');
  expect(ui.app.queue.list()[0]?.tags).toEqual(['location=Trondheim', 'batch-7']);

  // Pulled out: its tile goes, its read stays in the session's list.
  board.unplug();
  await expect(tile(page, board.path)).toHaveCount(0);
  const read = page.locator(
    `[data-testid="session-read"][data-device="${board.board.modem.config.deviceId}"]`,
  );
  await expect(read).toHaveAttribute('data-outcome', 'queued');
  await expect(read).toContainText('location=Trondheim, batch-7');
  await expect(read).toContainText('351358815178345');
  await expect(page.getByTestId('session-summary')).toHaveText('1 queued · 0 need a hand · 0 duplicates');
});

test('a manual read, a watch read and an import give the same tags', async ({ page }) => {
  await openUi(page, ui.transport);
  await page.getByLabel('Tags for this session').fill('batch-9, shelf=B');
  await page.getByLabel('Tags for this session').press('Enter');
  await expect(page.getByTestId('live-region')).toContainText('Tags for this session: batch-9, shelf=B.');

  // Listed as an unknown adapter (the window reads only listed ports): not a console, so not read until typed.
  const typed = await bench.add({ config: {}, usb: {} });
  await page.getByLabel('Port path or USB serial number').fill(typed.path);
  await page.getByLabel('Port path or USB serial number').press('Enter');
  await expect(stateOf(page, typed.path)).toHaveAttribute('data-state', 'queued');

  const watched = await bench.add({ config: {}, usb: { serialNumber: '001051200021' } });
  await expect(stateOf(page, watched.path)).toHaveAttribute('data-state', 'queued');

  await goTo(page, 'Queue');
  await page.getByRole('button', { name: 'Import tokens…' }).click();
  await page.getByLabel('Or paste tokens, one per line').fill(`${makeToken().token}\n`);
  await page.getByRole('button', { name: 'Preview pasted tokens' }).click();
  await page.getByRole('button', { name: 'Queue 1 claim' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Queued 1');

  const tags = ui.app.queue.list().map((e) => e.tags);
  expect(tags).toHaveLength(3);
  for (const t of tags) expect(t).toEqual(['location=Trondheim', 'batch-9', 'shelf=B']);
});

test('Enter on a typed port shows its tile first, ahead of the boards already there', async ({ page }) => {
  ui.app.station.setWatch(false);
  // Slow enough to watch its tile count the seconds.
  ui.app.settings.update({ timeoutMs: 3000 });
  await bench.add({ config: {}, usb: { serialNumber: '001051200031' } });
  await bench.add({ config: {}, usb: { serialNumber: '001051200032' } });
  await openUi(page, ui.transport);
  await expect(page.getByTestId('port-tile')).toHaveCount(2);

  const typed = await bench.add({ config: { responseDelayMs: 400 }, usb: {} }); // an unknown adapter
  await page.getByLabel('Port path or USB serial number').fill(typed.path);
  await page.getByLabel('Port path or USB serial number').press('Enter');
  await expect(page.getByTestId('port-tile').first()).toHaveAttribute('data-port', typed.path);
  // While it reads, the tile counts the time against the read's deadline.
  await expect(tile(page, typed.path).getByTestId('read-timer')).toContainText('of up to');
  await expect(stateOf(page, typed.path)).toHaveAttribute('data-state', 'queued');
  await expect(page.getByTestId('port-tile').first()).toHaveAttribute('data-port', typed.path);
});

test('a board is read by the USB serial number on its label', async ({ page }) => {
  ui.app.station.setWatch(false);
  const board = await bench.add({ config: {}, usb: { serialNumber: '001051202135' } });
  await openUi(page, ui.transport);
  await page.getByLabel('Port path or USB serial number').fill('1051202135');
  await page.getByLabel('Port path or USB serial number').press('Enter');
  await expect(stateOf(page, board.path)).toHaveAttribute('data-state', 'queued');

  await page.getByLabel('Port path or USB serial number').fill('001051209999');
  await page.getByLabel('Port path or USB serial number').press('Enter');
  await expect(page.getByTestId('field-error')).toContainText('No board with USB serial number 001051209999');
  await expect(page.getByLabel('Port path or USB serial number')).toHaveAttribute('aria-invalid', 'true');
});

test('other ports are listed compactly; finished tiles are dismissed one by one or together', async ({
  page,
}) => {
  bench.extraPorts.push(
    { path: '/dev/ttyACM5', serialNumber: '001050012345', interfaceNumber: 0 },
    { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' },
  );
  const good = await bench.add({ config: {}, usb: { serialNumber: '001051200041' } });
  const silent = await bench.add({ config: { silent: true }, usb: { serialNumber: '001051200042' } });
  // The second port of the good board's kit: no console.
  bench.extraPorts.push({ path: '/dev/ttyACM7', serialNumber: '001051200041', interfaceNumber: 2 });
  await openUi(page, ui.transport);

  const others = page.getByTestId('other-ports');
  await expect(others).toContainText('/dev/ttyACM5');
  await expect(others).toContainText('nRF5340 DK, not a cellular board: no nRF91 modem to read');
  await expect(others).toContainText('/dev/ttyUSB0');
  await expect(others).toContainText('not a recognised Nordic board');
  await expect(others).toContainText('nRF9151 DK: not its console port');
  await expect(others.getByRole('button', { name: 'Read anyway /dev/ttyUSB0' })).toBeVisible();
  await expect(tile(page, '/dev/ttyACM5')).toHaveCount(0);

  await expect(stateOf(page, good.path)).toHaveAttribute('data-state', 'queued');
  await expect(stateOf(page, silent.path)).toHaveAttribute('data-state', 'error');
  await expect(tile(page, silent.path).getByTestId('tile-error')).toContainText(
    "press the board's reset button",
  );
  // One polite live region says outcomes; no tile shouts an alert.
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('session-summary')).toHaveText('1 queued · 1 needs a hand · 0 duplicates');

  await page.getByRole('button', { name: `Dismiss ${silent.path}` }).click();
  await expect(stateOf(page, silent.path)).toHaveAttribute('data-state', 'waiting');
  await expect(stateOf(page, good.path)).toHaveAttribute('data-state', 'queued');
  await page.getByRole('button', { name: 'Clear finished (1)' }).click();
  await expect(stateOf(page, good.path)).toHaveAttribute('data-state', 'waiting');
  await expect(page.getByRole('button', { name: /^Clear finished/ })).toBeDisabled();

  // A board plugged in later is first; read the good one again from the keyboard (Enter on its
  // own button): its tile moves first, and the focus goes with it.
  const later = await bench.add({ config: {}, usb: { serialNumber: '001051200043' } });
  await expect(stateOf(page, later.path)).toHaveAttribute('data-state', 'queued');
  await expect(page.getByTestId('port-tile').first()).toHaveAttribute('data-port', later.path);
  await page.getByRole('button', { name: `Read ${good.path}` }).focus();
  await page.keyboard.press('Enter');
  await expect(stateOf(page, good.path)).toHaveAttribute('data-state', 'already-queued');
  await expect(page.getByTestId('port-tile').first()).toHaveAttribute('data-port', good.path);
  await expect(page.getByRole('button', { name: `Read ${good.path}` })).toBeFocused();
  await expect(page.getByTestId('session-summary')).toHaveText('2 queued · 1 needs a hand · 1 duplicate');
});

test('the watch, switched off, stays off when the window comes back', async ({ page }) => {
  await openUi(page, ui.transport);
  const watch = page.getByRole('switch', { name: 'Watch for new boards' });
  await expect(watch).toBeChecked();
  await watch.uncheck();
  await expect(watch).not.toBeChecked();
  expect(ui.app.settings.get().watch).toBe(false);
  await page.reload();
  await expect(page.getByRole('switch', { name: 'Watch for new boards' })).not.toBeChecked();

  const board = await bench.add({ config: {}, usb: { serialNumber: '001051200051' } });
  await expect(stateOf(page, board.path)).toHaveAttribute('data-state', 'waiting');
  // A port plugged in after the board shows up too: the port list was looked at again since, and
  // the board was still not read.
  bench.extraPorts.push({ path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' });
  await expect(page.getByTestId('other-ports')).toContainText('/dev/ttyUSB0');
  await expect(stateOf(page, board.path)).toHaveAttribute('data-state', 'waiting');
  expect(board.board.modem.received).toEqual([]);
});

test('a tag that breaks the rule is refused at its field, never on a port tile', async ({ page }) => {
  await openUi(page, ui.transport);
  await page.getByLabel('Tags for this session').fill(`ok, ${'x'.repeat(101)}`);
  await expect(page.getByTestId('field-error')).toContainText('101 characters; at most 100');
  await expect(page.getByLabel('Tags for this session')).toHaveAttribute('aria-invalid', 'true');
  const board = await bench.add({ config: {}, usb: { serialNumber: '001051200061' } });
  await expect(stateOf(page, board.path)).toHaveAttribute('data-state', 'queued');
  await expect(page.getByTestId('tile-error')).toHaveCount(0);
  // The saved tags, not the refused text, went on the board.
  expect(ui.app.queue.list()[0]?.tags).toEqual(['location=Trondheim']);
});

test('with feedback switched off in Settings, a read neither flashes nor sounds', async ({ page }) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Settings');
  await page.getByRole('switch', { name: 'Sound and flash for each read' }).uncheck();
  await expect.poll(() => ui.app.settings.get().feedback).toBe(false);
  await goTo(page, 'Station');
  const board = await bench.add({ config: {}, usb: { serialNumber: '001051200071' } });
  await expect(stateOf(page, board.path)).toHaveAttribute('data-state', 'queued');
  await expect(page.getByTestId('live-region')).toContainText('Queued');
  await expect(page.getByTestId('flash')).toHaveCount(0);
});
