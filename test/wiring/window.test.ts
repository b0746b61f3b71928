import { describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../../electron/shared/csp';
import { fakeWebContents } from './electron-mock';

const openExternal = vi.fn();
vi.mock('electron', () => ({
  BrowserWindow: vi.fn(),
  shell: { openExternal: (url: string) => openExternal(url) },
}));

const { appUrlMatcher, lockDown, windowOptions } = await import('../../electron/main/window');

describe('the main window', () => {
  it('has secure web preferences', () => {
    const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('denies navigation, redirects and webviews away from the app', () => {
    const isApp = appUrlMatcher(undefined);
    const wc = fakeWebContents();
    lockDown(wc.contents as never, isApp);
    expect(wc.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(wc.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(wc.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    // The bundled page is app://fieldclaim/, never a file: a file:// page is not the app's.
    expect(wc.navigate('will-navigate', 'file:///app/out/renderer/index.html')).toBe(true);
    expect(wc.navigate('will-navigate', 'app://fieldclaim/index.html#queue')).toBe(false);
    expect(wc.navigate('will-navigate', 'app://elsewhere/index.html')).toBe(true);
    expect(wc.navigate('will-attach-webview', 'https://x.example/')).toBe(true);
  });

  it('denies window.open, opening only https links in the system browser', () => {
    const wc = fakeWebContents();
    lockDown(wc.contents as never, () => false);
    expect(wc.openWindow('https://docs.nordicsemi.com/')).toEqual({ action: 'deny' });
    expect(wc.openWindow('http://insecure.example/')).toEqual({ action: 'deny' });
    expect(wc.openWindow('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://docs.nordicsemi.com/']]);
  });

  it('denies every permission request and check', async () => {
    const wc = fakeWebContents();
    lockDown(wc.contents as never, () => true);
    expect(await wc.requestPermission('media')).toBe(false);
    expect(await wc.requestPermission('serial')).toBe(false);
    expect(wc.checkPermission()).toBe(false);
  });

  it('matches only the dev server origin in development', () => {
    const isApp = appUrlMatcher('http://localhost:5173/');
    expect(isApp('http://localhost:5173/#x')).toBe(true);
    expect(isApp('http://localhost:5174/')).toBe(false);
    expect(isApp('not a url')).toBe(false);
  });
});

describe('the content security policy', () => {
  it('allows no inline script, no inline style and no remote origin in the built app', () => {
    for (const csp of [contentSecurityPolicy('header'), contentSecurityPolicy('meta')]) {
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    }
    expect(contentSecurityPolicy('header')).toContain("frame-ancestors 'none'");
    expect(contentSecurityPolicy('meta')).not.toContain('frame-ancestors');
  });
});
