import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveAppFile } from '../../electron/main/app-protocol';
import { contentSecurityPolicy } from '../../electron/shared/csp';
import { tempDir } from '../support/temp-dir';

const scratch = tempDir('fieldclaim-app-scheme-');
const root = scratch.path;
const renderer = join(root, 'renderer');
mkdirSync(join(renderer, 'assets'), { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Fieldclaim</title>');
writeFileSync(join(renderer, 'assets', 'index.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
afterAll(() => scratch.remove());

describe('the app:// scheme the window is served from', () => {
  it('serves the built renderer with the CSP as a header', async () => {
    const page = await serveAppFile(renderer, 'app://fieldclaim/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy('header'));
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const script = await serveAppFile(renderer, 'app://fieldclaim/assets/index.js');
    expect(await script.text()).toBe('console.log(1)');
    expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it.each([
    'app://fieldclaim/../secret.txt',
    'app://fieldclaim/%2e%2e/secret.txt',
    'app://fieldclaim/assets/..%2f..%2fsecret.txt',
    'app://elsewhere/index.html',
    'app://fieldclaim/missing.js',
    'not a url',
  ])('answers nothing outside the renderer folder: %s', async (url) => {
    const response = await serveAppFile(renderer, url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('outside the renderer');
  });
});
