import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Fieldclaim } from '../../electron/services/fieldclaim';
import { goTo } from './screens';
import { openUi, startUi } from '../support/test-transport';
import { makeToken } from '../support/tokens';

const corpus = join(__dirname, '../fixtures/csv');
let ui: Awaited<ReturnType<typeof startUi>>;
let app: Fieldclaim;

test.beforeEach(async () => {
  ui = await startUi();
  app = ui.app;
});
test.afterEach(() => ui.close());

test('a picked file is previewed (counts, rejected rows with reasons) and queued only when confirmed', async ({
  page,
}) => {
  await openUi(page, ui.transport);
  await goTo(page, 'Queue');
  await page.getByRole('button', { name: 'Import tokens…' }).click();
  await page.getByTestId('import-file').setInputFiles(join(corpus, 'truncated-token.csv'));
  const preview = page.getByTestId('import-preview');
  await expect(preview).toContainText('truncated-token.csv: 2 rows');
  await expect(page.getByTestId('preview-new')).toHaveText('1');
  await expect(page.getByTestId('preview-rejected')).toHaveText('1');
  await expect(page.getByTestId('rejected-row')).toContainText('2');
  await expect(page.getByTestId('rejected-row')).toContainText('invalid token');
  expect(app.queue.list()).toEqual([]); // nothing queued by a preview

  await page.getByLabel('Tags to add to every row').fill('batch-9');
  await page.getByRole('button', { name: 'Queue 1 claim' }).click();
  await expect(page.getByTestId('import-result')).toContainText('Queued 1; 0 duplicate; 1 rejected');
  await expect(page.locator('[data-testid="queue-row"]')).toHaveCount(1);
  expect(app.queue.list()[0]?.tags).toEqual(['batch-9']);
});

test('pasted tokens and a dropped file go through the same preview', async ({ page }) => {
  const queued = makeToken();
  // One token is in the queue already (seeded through an import).
  const seedPreview = await app.imports.previewBytes('seed.csv', Buffer.from(`${queued.token}\n`));
  app.imports.commitPreview(seedPreview.id, []);

  await openUi(page, ui.transport);
  await goTo(page, 'Queue');
  await page.getByRole('button', { name: 'Import tokens…' }).click();
  await page.getByLabel('Or paste tokens, one per line').fill(`${queued.token}\n${makeToken().token}\n`);
  await page.getByRole('button', { name: 'Preview pasted tokens' }).click();
  await expect(page.getByTestId('preview-new')).toHaveText('1');
  await expect(page.getByTestId('preview-duplicates')).toHaveText('1');
  // The duplicate is listed with why, as rejected rows are.
  await page.getByText('Duplicate rows (1)').click();
  await expect(page.getByTestId('duplicate-row')).toContainText(queued.deviceId);
  await expect(page.getByTestId('duplicate-row')).toContainText('already in the queue (pending)');
  await page.getByLabel('Tags to add to every row').fill('typed-before-cancel');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('import-dialog')).toBeHidden();

  // Opened again, it starts empty; Escape cancels it; a file of nothing new cannot be "queued".
  await page.getByRole('button', { name: 'Import tokens…' }).click();
  await expect(page.getByLabel('Or paste tokens, one per line')).toHaveValue('');
  await page.getByLabel('Or paste tokens, one per line').fill(`${queued.token}\n`);
  await page.getByRole('button', { name: 'Preview pasted tokens' }).click();
  await expect(page.getByLabel('Tags to add to every row')).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Queue 0 claims' })).toBeDisabled();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('import-dialog')).toBeHidden();
  expect(app.queue.list()).toHaveLength(1);

  // Drop a file onto the window from the Station screen: the preview opens on the Queue screen.
  await goTo(page, 'Station');
  const content = readFileSync(join(corpus, 'gather-tool.csv'), 'utf8');
  await page.evaluate((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'gather-tool.csv', { type: 'text/csv' }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, content);
  await expect(page.getByTestId('import-preview')).toContainText('gather-tool.csv: 3 rows');
  await expect(page.getByTestId('import-preview')).toContainText('gather tool');
  await expect(page.getByTestId('preview-new')).toHaveText('2');
});

test('a double click on Queue sends the file once', async ({ page }) => {
  const commits: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/rpc/commitImport')) commits.push(request.url());
  });
  await openUi(page, ui.transport);
  await goTo(page, 'Queue');
  await page.getByTestId('import-file').setInputFiles(join(corpus, 'bulk-basic.csv'));
  const queueButton = page.getByRole('button', { name: 'Queue 3 claims' });
  await expect(queueButton).toBeEnabled();
  // Both clicks in one task, before the page can re-render: only the state can refuse the second.
  await queueButton.evaluate((button: HTMLButtonElement) => {
    button.click();
    button.click();
  });
  await expect(page.getByTestId('import-result')).toContainText('Queued 3; 0 duplicate; 0 rejected');
  expect(commits).toHaveLength(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(app.queue.list()).toHaveLength(3);
});

test('pending claims export in the bulk and the gather format, from one Export dialog', async ({ page }) => {
  const seed = await app.imports.previewBytes(
    'seed.csv',
    Buffer.from(`${makeToken().token}\n${makeToken().token}\n`),
  );
  app.imports.commitPreview(seed.id, ['batch-1']);
  await openUi(page, ui.transport);
  await goTo(page, 'Queue');
  for (const [button, name, firstLine] of [
    ['Pending claims, bulk CSV', /^fieldclaim-queue-\d{4}-\d\d-\d\d\.csv$/, /^[\w.-]+,batch-1$/],
    [
      'Pending claims, gather CSV',
      /^fieldclaim-queue-gather-\d{4}-\d\d-\d\d\.csv$/,
      /^,[0-9a-f-]{36},[\w.-]+,/,
    ],
  ] as const) {
    await page.getByRole('button', { name: 'Export…' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-dialog').getByRole('button', { name: button }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(name);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toMatch(firstLine);
    await expect(page.getByTestId('queue-outcome')).toContainText('Exported 2 rows.');
  }
});
