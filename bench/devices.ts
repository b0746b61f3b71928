import { chromium } from '@playwright/test';
import { openDatabase } from '../electron/adapters/db/database';
import { DevicesRepository } from '../electron/adapters/db/devices-repo';
import { Fieldclaim } from '../electron/services/fieldclaim';
import { channels, eventNames } from '../electron/shared/contract';
import { startSimulatorProcess } from '../test/support/api-sim-process';
import { installHttpApi } from '../test/support/browser-api';
import { memorySecretBackend } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { randomDeviceId } from '../test/support/tokens';
import { TestTransport } from '../test/support/test-transport';
import { round } from './enqueue';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

/** With `count` devices in the local copy: keystroke in the search box to the filtered list painted, in Chromium. */
export async function benchDeviceSearch(count = 100_000, keystrokes = 20) {
  const dir = tempDir('fieldclaim-bench-');
  const db = openDatabase(dir.path);
  new DevicesRepository(db).upsertPage(
    Array.from({ length: count }, (_v, i) => ({
      id: randomDeviceId(),
      deviceType: i % 3 ? 'nrf9151_LACA' : 'nrf9161_LACA',
      imei: String(351358800000000 + i),
      tags: i % 10 ? [] : ['zone=north'],
      status: i % 50 ? 'READY' : 'BLOCKED',
      claimedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      raw: {},
    })),
    1,
  );
  db.close();
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
    const page = await browser.newPage();
    await page.addInitScript(installHttpApi, { channels, events: eventNames });
    await page.goto(transport.url);
    await page.getByRole('button', { name: 'Devices' }).click();
    await page
      .getByText(`${count.toLocaleString('en-US')} shown`)
      .or(page.getByTestId('match-count'))
      .first()
      .waitFor();
    await page.getByTestId('device-row').first().waitFor();
    const box = page.getByLabel('Search (press /)');
    const times: number[] = [];
    for (let i = 0; i < keystrokes; i++) {
      await box.fill('');
      await page.waitForTimeout(50);
      await box.focus();
      // Each query narrows differently: IMEI digits and UUID fragments.
      const query = i % 2 ? String(35135880000 + i * 37).slice(0, 9 + (i % 4)) : 'a';
      const ms = await page.evaluate(async (q) => {
        const input = document.activeElement as HTMLInputElement;
        const list = document.querySelector('.virtual') as HTMLElement;
        const changed = new Promise<void>((resolve) => {
          const observer = new MutationObserver(() => {
            observer.disconnect();
            resolve();
          });
          observer.observe(list, { subtree: true, childList: true, characterData: true });
        });
        const start = performance.now();
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await changed;
        // Painted: the frame after the DOM change has been rendered.
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return performance.now() - start;
      }, query);
      times.push(ms);
    }
    return {
      devices: count,
      keystrokes,
      medianMs: round(median(times), 1),
      maxMs: round(Math.max(...times), 1),
      target: 50,
    };
  } finally {
    await browser.close();
    await transport.stop();
    app.close();
    dir.remove();
  }
}

/** Pulling `count` devices in pages of 100 at `latencyMs`: the time, and the share not spent waiting on the network. */
export async function benchDevicePull(count = 100_000, latencyMs = 20) {
  const sim = await startSimulatorProcess('bench-key', latencyMs, count);
  const dir = tempDir('fieldclaim-bench-');
  let waitingMs = 0;
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend('bench-key'),
    settingsOverrides: { apiUrl: sim.baseUrl },
    userAgent: 'bench',
    fetch: async (url, init) => {
      const start = performance.now();
      const response = await fetch(url, init);
      const body = await response.arrayBuffer();
      waitingMs += performance.now() - start;
      return new Response(body, { status: response.status, headers: response.headers });
    },
  });
  try {
    const start = performance.now();
    const summary = await app.sync.run();
    const totalMs = performance.now() - start;
    if (summary.devices !== count) throw new Error(`pulled ${summary.devices} of ${count}`);
    return {
      devices: count,
      pageSize: 100,
      latencyMs,
      seconds: round(totalMs / 1000, 2),
      networkWaitSeconds: round(waitingMs / 1000, 2),
      shareOutsideNetworkWait: round((totalMs - waitingMs) / totalMs, 3),
    };
  } finally {
    app.close();
    dir.remove();
    await sim.stop();
  }
}
