import { chromium, type Page } from '@playwright/test';
import { Fieldclaim } from '../electron/services/fieldclaim';
import { channels, eventNames } from '../electron/shared/contract';
import { installHttpApi } from '../test/support/browser-api';
import { memorySecretBackend } from '../test/support/station';
import { TestTransport } from '../test/support/test-transport';
import { seedLargeFolder } from './cost';
import { median, round } from './stats';

// The functions given to page.evaluate declare no inner functions: tsx would wrap them in a
// helper (__name) that does not exist in the page.

/**
 * Issue 15's figures, in Chromium against the real services: the Queue with 100,000 entries and
 * Devices with 100,000 devices, opened, scrolled, filtered, searched, all selected, detailed. Each
 * time runs from the click or keystroke to the frame after the answer is in the page.
 */

const summary = (times: number[]) => ({
  medianMs: round(median(times), 1),
  maxMs: round(Math.max(...times), 1),
  samples: times.length,
});

/** Clicks a rail button, then waits (a frame at a time) for a row of the screen's table. */
const openScreen = (page: Page, screen: string, rowTestId: string) =>
  page.evaluate(
    async ({ screen, rowTestId }) => {
      const button = [...document.querySelectorAll<HTMLButtonElement>('nav button')].find(
        (b) => b.textContent?.trim() === screen,
      )!;
      const start = performance.now();
      button.click();
      while (!document.querySelector(`[data-testid="${rowTestId}"]`)) {
        if (performance.now() - start > 30_000) throw new Error('the page did not get there in 30 s');
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - start;
    },
    { screen, rowTestId },
  );

/** Sets a field's text as a keystroke would, then waits until the table has the new query's rows. */
const typeInto = (page: Page, label: string, text: string, tableTestId: string) =>
  page.evaluate(
    async ({ label, text, tableTestId }) => {
      const input = [...document.querySelectorAll('label')].find((l) => l.textContent?.trim() === label)
        ?.control as HTMLInputElement;
      const table = document.querySelector(`[data-testid="${tableTestId}"] [role="table"]`);
      const start = performance.now();
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // The query goes out in a microtask (Svelte's effects); the table is busy until its rows are in.
      await new Promise((r) => setTimeout(r, 0));
      if (table?.getAttribute('aria-busy') === 'true')
        await new Promise<void>((resolve, reject) => {
          const observer = new MutationObserver(() => {
            if (table.getAttribute('aria-busy') === 'true') return;
            observer.disconnect();
            resolve();
          });
          observer.observe(table, { attributes: true, attributeFilter: ['aria-busy'] });
          setTimeout(() => reject(new Error('the rows did not come in 30 s')), 30_000);
        });
      // Painted: the next frame.
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - start;
    },
    { label, text, tableTestId },
  );

/** Jumps the table to a row, then waits until no row in view is still loading. */
const scrollTo = (page: Page, tableTestId: string, row: number) =>
  page.evaluate(
    async ({ tableTestId, row }) => {
      const scroller = document.querySelector<HTMLElement>(`[data-testid="${tableTestId}"]`)!;
      const rowHeight =
        scroller.querySelector<HTMLElement>('[role="rowgroup"] + [role="rowgroup"] [role="row"]')
          ?.offsetHeight ?? 44;
      const start = performance.now();
      scroller.scrollTop = row * rowHeight;
      await new Promise((r) => requestAnimationFrame(r));
      while (scroller.querySelector('.loading')) {
        if (performance.now() - start > 30_000) throw new Error('the page did not get there in 30 s');
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - start;
    },
    { tableTestId, row },
  );

/** Clicks a button found by its text, then waits until `testid` holds `expected`. */
const clickUntil = (page: Page, buttonText: string, testid: string, expected: string) =>
  page.evaluate(
    async ({ buttonText, testid, expected }) => {
      const button = [...document.querySelectorAll<HTMLButtonElement>('button')].find(
        (b) => b.textContent?.trim() === buttonText,
      )!;
      const start = performance.now();
      button.click();
      while (!document.querySelector(`[data-testid="${testid}"]`)?.textContent?.includes(expected)) {
        if (performance.now() - start > 30_000) throw new Error('the page did not get there in 30 s');
        await new Promise((r) => requestAnimationFrame(r));
      }
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - start;
    },
    { buttonText, testid, expected },
  );

async function goHome(page: Page) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Station' }).click();
  await page.getByRole('heading', { level: 1, name: 'Station' }).waitFor();
}

export async function benchScreens(devices = 100_000, entries = 100_000, repeat = 5) {
  // 100,000 devices; 100,000 entries, one in ten still open (10,000 pending), the rest done.
  const { dir } = seedLargeFolder(devices, entries);
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(),
    userAgent: 'bench',
    listPorts: async () => [],
  });
  const transport = await new TestTransport(app).start();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.addInitScript(installHttpApi, { channels, events: eventNames });
    await page.goto(transport.url);
    await page.getByRole('heading', { level: 1, name: 'Station' }).waitFor();

    const queueOpen: number[] = [];
    for (let i = 0; i < repeat; i++) {
      await goHome(page);
      queueOpen.push(await openScreen(page, 'Queue', 'queue-row'));
    }
    const queueScroll: number[] = [];
    for (const row of [2_000, 9_000, 5_000, 500, 7_500])
      queueScroll.push(await scrollTo(page, 'queue-table', row));
    // "Show: all": every one of the 100,000 entries, then searched by IMEI a digit at a time.
    await page.getByLabel('Show').selectOption('all');
    await page.locator('[data-testid="queue-table"] [role="table"][aria-rowcount="100001"]').waitFor();
    const queueScrollAll: number[] = [];
    for (const row of [20_000, 90_000, 50_000]) queueScrollAll.push(await scrollTo(page, 'queue-table', row));
    const imei = '351358900077777';
    const queueSearch: number[] = [];
    for (let n = 6; n <= imei.length; n++)
      queueSearch.push(await typeInto(page, 'Search', imei.slice(0, n), 'queue-table'));
    await page.locator('[data-testid="queue-row"]').first().waitFor();
    const queueFound = await page.locator('[data-testid="queue-row"]').count();

    const devicesOpen: number[] = [];
    for (let i = 0; i < repeat; i++) {
      await goHome(page);
      devicesOpen.push(await openScreen(page, 'Devices', 'device-row'));
    }
    const devicesScroll: number[] = [];
    for (const row of [20_000, 90_000, 50_000])
      devicesScroll.push(await scrollTo(page, 'devices-table', row));
    const deviceImei = '351358800077777';
    const devicesSearch: number[] = [];
    for (let n = 6; n <= deviceImei.length; n++)
      devicesSearch.push(await typeInto(page, 'Search (press /)', deviceImei.slice(0, n), 'devices-table'));
    const devicesFound = await page.locator('[data-testid="device-row"]').count();
    devicesSearch.push(await typeInto(page, 'Search (press /)', '', 'devices-table'));
    const selectAll: number[] = [];
    for (let i = 0; i < 3; i++) {
      selectAll.push(
        await clickUntil(
          page,
          `Select all ${devices.toLocaleString()} shown`,
          'selection',
          `${devices.toLocaleString()} devices selected`,
        ),
      );
      await page.getByRole('button', { name: 'Clear selection' }).click();
    }
    const detail: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const id = await page.locator('[data-testid="device-row"]').nth(i).getAttribute('data-device');
      detail.push(await clickUntil(page, id!, 'device-detail', 'Read at this station'));
      await page.getByTestId('device-detail').getByRole('button', { name: 'Close' }).click();
    }
    return {
      devices,
      outboxEntries: entries,
      queue: {
        open: summary(queueOpen),
        scrollOpen10k: summary(queueScroll),
        scrollAll100k: summary(queueScrollAll),
        searchKeystroke: { ...summary(queueSearch), found: queueFound },
      },
      devicesScreen: {
        open: summary(devicesOpen),
        scroll: summary(devicesScroll),
        searchKeystroke: { ...summary(devicesSearch), found: devicesFound },
        selectAllMatching: summary(selectAll),
        openDetail: summary(detail),
      },
      targets: { openMs: 100, keystrokeMedianMs: 50 },
    };
  } finally {
    await browser.close();
    await transport.stop();
    app.close();
    dir.remove();
  }
}

if (require.main === module) void benchScreens().then((r) => console.log(JSON.stringify(r, null, 2)));
