import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { goTo } from './screens';
import { openUi, startUi } from '../support/test-transport';

let ui: Awaited<ReturnType<typeof startUi>>;
test.beforeEach(async () => {
  ui = await startUi();
});
test.afterEach(() => ui.close());

test('Settings saves a diagnostics report with the version, the system and the last errors', async ({
  page,
}) => {
  await openUi(page, ui.transport);
  // An error the technician met: a port that is not there.
  await goTo(page, 'Station');
  await page.getByLabel('Port path or USB serial number').fill('/dev/ttyACM97');
  await page.getByLabel('Port path or USB serial number').press('Enter');
  await expect(page.getByTestId('tile-error')).toContainText('/dev/ttyACM97');

  await goTo(page, 'Settings');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save diagnostics…' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^fieldclaim-diagnostics-\d{4}-\d{2}-\d{2}\.txt$/);
  const report = readFileSync((await download.path())!, 'utf8');
  expect(report).toMatch(/^Fieldclaim diagnostics\n/);
  expect(report).toMatch(/Runs on: linux /);
  expect(report).toMatch(
    /Last errors \(1, newest last\)\n.*ERROR {2}readPort: port-unavailable: \/dev\/ttyACM97/,
  );
  await expect(page.getByText(/Saved fieldclaim-diagnostics-.*: send it to support\.$/)).toBeVisible();
});
