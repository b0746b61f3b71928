import { afterAll, describe, expect, it, vi } from 'vitest';

// vi.mock is hoisted above the imports: everything its factory uses is created here.
const mocked = await vi.hoisted(async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  let exited: (code: number) => void = () => undefined;
  return {
    dataDir: mkdtempSync(join(tmpdir(), 'fieldclaim-cli-mode-')),
    windows: 0,
    lockAsked: false,
    exit: new Promise<number>((resolve) => (exited = resolve)),
    exited: (code: number) => exited(code),
  };
});

vi.mock('electron', () => ({
  app: {
    dock: { hide: () => undefined },
    exit: (code: number) => mocked.exited(code),
    requestSingleInstanceLock: () => ((mocked.lockAsked = true), true),
    whenReady: () => new Promise(() => undefined),
    on: () => undefined,
    isPackaged: true,
    getPath: () => mocked.dataDir,
  },
  BrowserWindow: class {
    constructor() {
      mocked.windows++;
    }
  },
  ipcMain: { handle: () => undefined },
  net: { fetch: () => Promise.reject(new Error('no network in this test')) },
  powerMonitor: { on: () => undefined },
  session: { defaultSession: { webRequest: { onHeadersReceived: () => undefined } } },
  shell: { openExternal: () => undefined },
}));

afterAll(async () => {
  const { rmSync } = await import('node:fs');
  rmSync(mocked.dataDir, { recursive: true, force: true });
});

describe('the installed app as the command line (`Fieldclaim --cli ...`)', () => {
  it('runs the command with no window and no single-instance lock, and exits with its code', async () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const argv = process.argv;
    process.argv = ['/opt/Fieldclaim/fieldclaim', '--cli', '--data-dir', mocked.dataDir, 'queue', '--json'];
    try {
      await import('../../electron/main/index');
      expect(await mocked.exit).toBe(0);
    } finally {
      process.argv = argv;
      write.mockRestore();
    }
    expect(written.join('')).toBe('[]\n');
    expect(mocked.windows).toBe(0);
    expect(mocked.lockAsked).toBe(false);
  });
});
