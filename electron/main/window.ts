import { join } from 'node:path';
import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { appIndexUrl, isAppSchemeUrl } from './app-protocol';

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Fieldclaim',
    backgroundColor: '#111827',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  };
}

/** Only https links leave the app, and only to the system browser. */
export function openExternalIfSafe(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url);
  } catch {
    // not a URL: nothing to open
  }
}

/** Locks a window's contents to the app: no navigation, no new windows, no webviews, no permissions. */
export function lockDown(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfSafe(url);
    return { action: 'deny' };
  });
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  contents.session.setPermissionCheckHandler(() => false);
}

/** The app's own page: the dev server's origin in development, the app:// scheme otherwise. */
export function appUrlMatcher(rendererUrl: string | undefined): (url: string) => boolean {
  if (!rendererUrl) return isAppSchemeUrl;
  const origin = new URL(rendererUrl).origin;
  return (url) => URL.canParse(url) && new URL(url).origin === origin;
}

export function createMainWindow(
  outDir: string,
  rendererUrl: string | undefined,
  isAppUrl: (url: string) => boolean,
): BrowserWindow {
  const window = new BrowserWindow(windowOptions(join(outDir, 'preload', 'index.cjs')));
  lockDown(window.webContents, isAppUrl);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl ?? appIndexUrl);
  return window;
}
