import { afterAll, describe, expect, it, vi } from 'vitest';
import { channels, ipcChannel } from '../../electron/shared/contract';

// vi.mock is hoisted above the imports: everything its factory uses is created here.
const mocked = await vi.hoisted(async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  let ready: () => void = () => undefined;
  return {
    dataDir: mkdtempSync(join(tmpdir(), 'fieldclaim-main-')),
    handled: [] as string[],
    windows: [] as Array<{
      options: Record<string, unknown>;
      loaded: string | null;
      restored: boolean;
      focused: boolean;
    }>,
    appListeners: new Map<string, (...args: unknown[]) => void>(),
    powerEvents: [] as string[],
    privileged: [] as Array<{ scheme: string; privileges: Record<string, boolean> }>,
    protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
    headerListener: null as
      | null
      | ((
          details: { responseHeaders: Record<string, string[]> },
          callback: (r: { responseHeaders: Record<string, string[]> }) => void,
        ) => void),
    whenReady: new Promise<void>((resolve) => (ready = resolve)),
    ready: () => ready(),
  };
});

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = {
      on: () => undefined,
      // Pushes from the services reach the window once it exists.
      isDestroyed: () => false,
      send: () => undefined,
      setWindowOpenHandler: () => undefined,
      session: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined },
    };
    private readonly record: (typeof mocked.windows)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: null, restored: false, focused: false };
      mocked.windows.push(this.record);
    }
    once() {}
    isMinimized() {
      return true;
    }
    restore() {
      this.record.restored = true;
    }
    focus() {
      this.record.focused = true;
    }
    loadFile(file: string) {
      this.record.loaded = file;
      return Promise.resolve();
    }
    loadURL(url: string) {
      this.record.loaded = url;
      return Promise.resolve();
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => true,
      quit: () => undefined,
      isPackaged: true,
      getPath: (name: string) => (name === 'userData' ? mocked.dataDir : '/nonexistent'),
      whenReady: () => mocked.whenReady,
      on: (event: string, listener: (...args: unknown[]) => void) => mocked.appListeners.set(event, listener),
    },
    BrowserWindow,
    ipcMain: { handle: (channel: string) => mocked.handled.push(channel) },
    net: { fetch: () => Promise.reject(new Error('no network in this test')) },
    powerMonitor: { on: (event: string) => mocked.powerEvents.push(event) },
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (listener: typeof mocked.headerListener) => (mocked.headerListener = listener),
        },
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: typeof mocked.privileged) => mocked.privileged.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) =>
        mocked.protocolHandlers.set(scheme, handler),
    },
    shell: { openExternal: () => undefined },
  };
});

afterAll(async () => {
  mocked.appListeners.get('window-all-closed')?.();
  const { rmSync } = await import('node:fs');
  rmSync(mocked.dataDir, { recursive: true, force: true });
});

describe('the composition root', () => {
  it('registers every contract channel and opens one secure window on the bundled page', async () => {
    await import('../../electron/main/index');
    mocked.ready();
    await mocked.whenReady;
    // The services load once the app is ready: the window comes when they have.
    await vi.waitFor(() => expect(mocked.windows).toHaveLength(1));
    expect([...mocked.handled].sort()).toEqual(channels.map(ipcChannel).sort());
    expect(mocked.windows).toHaveLength(1);
    const [window] = mocked.windows;
    expect(window!.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    expect(String((window!.options.webPreferences as { preload: string }).preload)).toMatch(
      /preload[/\\]index\.cjs$/,
    );
    // The bundled page from the app's own privileged scheme, not file:// (where 'self' is the whole disk).
    expect(window!.loaded).toBe('app://fieldclaim/index.html');
    expect(mocked.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect([...mocked.protocolHandlers.keys()]).toEqual(['app']);
    // Resume from sleep triggers a sync attempt.
    expect(mocked.powerEvents).toContain('resume');
  });

  it('brings its window back when the app is launched a second time', async () => {
    await import('../../electron/main/index');
    await mocked.whenReady;
    mocked.appListeners.get('second-instance')?.();
    expect(mocked.windows).toHaveLength(1);
    expect(mocked.windows[0]).toMatchObject({ restored: true, focused: true });
  });

  it('writes its start, and a window that stopped, to the diagnostics log', async () => {
    await import('../../electron/main/index');
    await mocked.whenReady;
    mocked.appListeners.get('render-process-gone')?.({}, {}, { reason: 'oom', exitCode: 9 });
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const lines = readFileSync(join(mocked.dataDir, 'logs', 'fieldclaim.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; area: string; message: string });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', area: 'app', message: 'started 0.0.0-test (commit test)' }),
      expect.objectContaining({
        level: 'error',
        area: 'window',
        message: 'the window stopped (oom, exit code 9)',
      }),
    ]);
  });
});

describe('the content security policy in force', () => {
  it('is set as a response header on everything the window loads, and on the app scheme', async () => {
    await import('../../electron/main/index');
    await mocked.whenReady;
    const { contentSecurityPolicy } = await import('../../electron/shared/csp');
    let headers: Record<string, string[]> = {};
    mocked.headerListener!(
      { responseHeaders: { 'X-Other': ['kept'] } },
      (r) => (headers = r.responseHeaders),
    );
    expect(headers).toEqual({
      'X-Other': ['kept'],
      'Content-Security-Policy': [contentSecurityPolicy('header')],
    });
    // The app scheme's own answers carry it too (a file that is not there is not found).
    const missing = await mocked.protocolHandlers.get('app')!({ url: 'app://fieldclaim/no-such-file.js' });
    expect(missing.status).toBe(404);
  });
});
