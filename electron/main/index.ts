import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, net, powerMonitor, session } from 'electron';
import { version } from '../../package.json';
import { createDispatcher } from '../services/dispatch';
import { Fieldclaim } from '../services/fieldclaim';
import { forwardEvents, registerIpc } from './ipc';
import { contentSecurityPolicy } from '../shared/csp';
import { appUrlMatcher, createMainWindow } from './window';

// Two instances would fight over the serial ports and the database: the second focuses the first.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  const outDir = join(__dirname, '..');
  const rendererUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  const isAppUrl = appUrlMatcher(outDir, rendererUrl);

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  void app.whenReady().then(() => {
    const fieldclaim = new Fieldclaim({
      dataDir: app.getPath('userData'),
      // Electron's network stack honours the system proxy, which Node's fetch does not.
      fetch: (input, init) => net.fetch(input, init),
      userAgent: `Fieldclaim/${version} (${process.platform}; desktop)`,
      processLabel: 'the desktop app',
      build: __FIELDCLAIM_BUILD__,
      // Inside an AppImage the udev rule ships in resources/ and the About box explains how to install it.
      resourcesPath: app.isPackaged && process.env.APPIMAGE ? process.resourcesPath : null,
    });
    fieldclaim.log.info(
      'app',
      `started ${__FIELDCLAIM_BUILD__.version} (commit ${__FIELDCLAIM_BUILD__.commit})`,
    );
    // The window going blank is what a technician reports; the log says why.
    app.on('render-process-gone', (_event, _contents, details) =>
      fieldclaim.log.error('window', `the window stopped (${details.reason}, exit code ${details.exitCode})`),
    );
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: {
          ...details.responseHeaders,
          'Content-Security-Policy': [contentSecurityPolicy('header', Boolean(rendererUrl))],
        },
      });
    });
    registerIpc(ipcMain, createDispatcher(fieldclaim), isAppUrl);
    forwardEvents(fieldclaim, () => window?.webContents ?? null);
    window = createMainWindow(outDir, rendererUrl, isAppUrl);
    // Settles whatever a crash left half-sent, then syncs whenever the API is reachable.
    fieldclaim.startAutoSync();
    powerMonitor.on('resume', () => fieldclaim.pokeAutoSync());
    app.on('window-all-closed', () => {
      fieldclaim.close();
      app.quit();
    });
  });
}
