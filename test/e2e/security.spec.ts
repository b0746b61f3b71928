import { expect, test } from '@playwright/test';
import { Fieldclaim } from '../../electron/services/fieldclaim';
import { memorySecretBackend } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { openUi, TestTransport } from '../support/test-transport';

let dir: ReturnType<typeof tempDir>;
let app: Fieldclaim;
let transport: TestTransport;

test.beforeAll(async () => {
  dir = tempDir();
  app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(),
    userAgent: 'e2e',
    listPorts: async () => [],
  });
  transport = await new TestTransport(app).start();
});
test.afterAll(async () => {
  await transport.stop();
  app.close();
  dir.remove();
});

test('the CSP blocks an injected inline script, inline handlers and remote scripts', async ({ page }) => {
  await openUi(page, transport);
  await expect(page.getByRole('heading', { name: 'Station' })).toBeVisible();
  const outcome = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const w = window as unknown as Record<string, unknown>;
    const inline = document.createElement('script');
    inline.textContent = 'window.__inlineRan = true';
    document.body.append(inline);
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__handlerRan = true');
    img.src = 'data:,not-an-image';
    document.body.append(img);
    const remote = document.createElement('script');
    remote.src = 'https://example.com/evil.js';
    document.body.append(remote);
    await new Promise((r) => setTimeout(r, 300));
    return { inline: w.__inlineRan ?? false, handler: w.__handlerRan ?? false, violations };
  });
  expect(outcome.inline).toBe(false);
  expect(outcome.handler).toBe(false);
  expect(outcome.violations).toEqual(expect.arrayContaining(['script-src-elem']));
  expect(outcome.violations.length).toBeGreaterThanOrEqual(3);
});
