import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, net, powerMonitor, protocol, session } from 'electron';
import { version } from '../../package.json';
import { forwardEvents, registerIpc } from './ipc';
import { contentSecurityPolicy } from '../shared/csp';
import { isLoopbackUrl } from '../core/api-endpoint';
import { appUrlMatcher, createMainWindow } from './window';
import { appSchemePrivileges, serveAppFile } from './app-protocol';

/** The API URL override is for development and tests: the window cannot set it, a packaged build ignores it. */
function developmentApiUrl(): { apiUrl: string } | undefined {
  const url = process.env.FIELDCLAIM_API_URL;
  return !app.isPackaged && url ? { apiUrl: url } : undefined;
}

/**
 * `Fieldclaim --cli <command>`: the installed app as the command line, with no window (a headless
 * station needs no checkout). Not ELECTRON_RUN_AS_NODE, which the fuses switch off.
 */
const cliArgs = process.argv.indexOf('--cli');

if (cliArgs >= 0) {
  app.dock?.hide();
  void import('../cli/program')
    .then(({ runCli }) =>
      runCli(['fieldclaim', 'fieldclaim', ...process.argv.slice(cliArgs + 1)], {
        // A worker thread cannot load its script from inside the app's archive: the installed app
        // reads token files on one thread (a little slower, the same result).
        tokenFileReader: app.isPackaged ? null : join(__dirname, 'token-file-reader.js'),
        label: 'the installed app (command line)',
      }),
    )
    .then((code) => app.exit(code));
}
// Two instances would fight over the serial ports and the database: the second focuses the first.
else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  const outDir = join(__dirname, '..');
  const rendererUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  const isAppUrl = appUrlMatcher(rendererUrl);
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  void app.whenReady().then(async () => {
    // Loaded here, not at the top: `Fieldclaim --cli` never pays for the services and SQLite twice.
    const [{ Fieldclaim }, { createDispatcher }] = await Promise.all([
      import('../services/fieldclaim'),
      import('../services/dispatch'),
    ]);
    const fieldclaim = new Fieldclaim({
      dataDir: app.getPath('userData'),
      // Electron's network stack honours the system proxy, which Node's fetch does not; a loopback
      // test server (development builds only) is reached directly, never through a proxy.
      fetch: (input, init) => (isLoopbackUrl(input) ? fetch(input, init) : net.fetch(input, init)),
      userAgent: `Fieldclaim/${version} (${process.platform}; desktop)`,
      processLabel: 'the desktop app',
      // A development build (never a packaged one) can be pointed at a loopback test server.
      settingsOverrides: developmentApiUrl(),
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
    protocol.handle(appSchemePrivileges.scheme, (request) =>
      serveAppFile(join(outDir, 'renderer'), request.url),
    );
    registerIpc(ipcMain, createDispatcher(fieldclaim), isAppUrl);
    forwardEvents(fieldclaim, () => window?.webContents ?? null);
    window = createMainWindow(outDir, rendererUrl, isAppUrl);
    // Settles whatever a crash left half-sent, then syncs whenever the API is reachable.
    fieldclaim.sync.startAuto();
    // Ports listed live; the watch on unless the technician switched it off.
    fieldclaim.startStation();
    powerMonitor.on('resume', () => fieldclaim.sync.poke());
    app.on('window-all-closed', () => {
      fieldclaim.close();
      app.quit();
    });
  });
}
