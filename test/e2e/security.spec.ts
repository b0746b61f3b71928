import { expect, test } from '@playwright/test';
import { openUi, startUi } from '../support/test-transport';

let ui: Awaited<ReturnType<typeof startUi>>;

test.beforeAll(async () => {
  ui = await startUi();
});
test.afterAll(() => ui.close());

test('the CSP blocks an injected inline script, inline handlers and remote scripts', async ({ page }) => {
  await openUi(page, ui.transport);
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
