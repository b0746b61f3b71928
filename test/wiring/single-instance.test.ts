import { describe, expect, it, vi } from 'vitest';

const mocked = vi.hoisted(() => ({ quit: 0, readyAsked: 0, listeners: [] as string[] }));

vi.mock('electron', () => ({
  app: {
    requestSingleInstanceLock: () => false,
    quit: () => void mocked.quit++,
    whenReady: () => {
      mocked.readyAsked++;
      return new Promise(() => undefined);
    },
    on: (event: string) => void mocked.listeners.push(event),
  },
  BrowserWindow: class {},
  ipcMain: { handle: () => undefined },
  net: { fetch: () => Promise.reject(new Error('no network in this test')) },
  powerMonitor: { on: () => undefined },
  session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined } } },
  shell: { openExternal: () => undefined },
}));

describe('a second launch', () => {
  it('quits at once, leaving the database and the ports to the running app', async () => {
    await import('../../electron/main/index');
    expect(mocked.quit).toBe(1);
    expect(mocked.readyAsked).toBe(0);
    expect(mocked.listeners).toEqual([]);
  });
});
