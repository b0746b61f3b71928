import { realpathSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModemConfig } from '../support/modem-sim';
import { openTestApp, plugInBoard } from '../support/station';

type Board = Awaited<ReturnType<typeof plugInBoard>>;
let station: ReturnType<typeof openTestApp>;
let boards: Board[] = [];

beforeEach(() => {
  station = openTestApp();
});
afterEach(async () => {
  await Promise.all(boards.map((b) => b.unplug()));
  boards = [];
  station.close();
});

async function board(config: Partial<ModemConfig> = {}): Promise<Board> {
  const b = await plugInBoard(config);
  boards.push(b);
  return b;
}

const read = (b: Board, mode: 'auto' | 'at' | 'shell' | 'passive', extra: object = {}) =>
  station.app.station.read({ port: b.pty.appPath, tags: [], mode, timeoutMs: 3000, ...extra });

describe('AT host dialect', () => {
  it.each([
    ['CRLF', 'crlf', 'crlf'],
    ['CR', 'cr', 'cr'],
    ['LF', 'lf', 'lf'],
  ] as const)(
    'works with %s termination when the firmware needs it',
    async (_name, terminator, lineEnding) => {
      const b = await board({ terminator });
      const result = await read(b, 'at', { lineEnding });
      expect(result).toMatchObject({
        deviceId: b.modem.config.deviceId,
        dialect: 'at',
        imei: '351358815178345',
      });
    },
  );

  it('gets no answer with the wrong line ending, and says what to check', async () => {
    const b = await board({ terminator: 'lf' });
    await expect(read(b, 'at', { lineEnding: 'cr', timeoutMs: 300 })).rejects.toMatchObject({
      code: 'device-no-answer',
      message: expect.stringMatching(/line ending/),
    });
  });

  it('ignores its own echo', async () => {
    const b = await board({ echo: true });
    expect((await read(b, 'at')).firmware).toBe('mfw_nrf91x1_2.0.2');
  });

  it('survives garbage bytes and partial lines before answers', async () => {
    const b = await board({ garbage: true, noise: true });
    const result = await read(b, 'at');
    expect(result).toMatchObject({
      imei: '351358815178345',
      model: 'nRF9151-LACA',
      deviceId: b.modem.config.deviceId,
    });
  });
});

describe('Zephyr shell dialect', () => {
  it('sends `at` commands, strips the prompt, echo and colour escapes', async () => {
    const b = await board({ dialect: 'shell', ansi: true });
    const result = await read(b, 'shell');
    expect(result).toMatchObject({ dialect: 'shell', imei: '351358815178345', model: 'nRF9151-LACA' });
    expect(b.modem.received[0]).toBe('at AT+CGSN');
  });

  it('falls back to lower-case commands for builds that want `at at%attesttoken`', async () => {
    const b = await board({ dialect: 'shell-lowercase' });
    const result = await read(b, 'shell');
    expect(result.deviceId).toBe(b.modem.config.deviceId);
    expect(b.modem.received).toContain('at at%attesttoken');
  });
});

describe('passive capture of the token printed at boot', () => {
  it.each(['sdk', 'att', 'slm'] as const)('catches the %s format', async (bootFormat) => {
    const b = await board({ dialect: 'passive', bootFormat });
    const result = await read(b, 'passive');
    expect(result).toMatchObject({ deviceId: b.modem.config.deviceId, dialect: 'passive', imei: null });
    expect(result.warnings.join(' ')).toMatch(/IMEI/);
    expect(b.modem.received).toEqual([]);
  });

  it('tells the technician to reset the board when nothing arrives', async () => {
    const b = await board({ silent: true });
    await expect(read(b, 'passive', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'device-no-answer',
      message: expect.stringMatching(/reset button/),
    });
  });
});

describe('auto mode', () => {
  it.each([
    ['an AT host', { dialect: 'at' }, 'at'],
    ['a Zephyr shell', { dialect: 'shell', ansi: true }, 'shell'],
    ['a board that prints its token at boot', { dialect: 'passive', bootFormat: 'att' }, 'passive'],
  ] as const)('recognises %s and says which dialect it found', async (_name, config, dialect) => {
    const b = await board(config);
    const result = await read(b, 'auto');
    expect(result.dialect).toBe(dialect);
    expect(result.deviceId).toBe(b.modem.config.deviceId);
  });

  it('probes the shell first, as Nordic tools do', async () => {
    const b = await board({ dialect: 'at' });
    await read(b, 'auto');
    expect(b.modem.received.slice(0, 1)).toEqual(['at AT+CGSN']);
    expect(b.modem.received).toContain('AT+CGSN');
  });

  it('says the device does not answer AT commands when nothing works', async () => {
    const b = await board({ dialect: 'shell-no-at' });
    await expect(read(b, 'auto', { timeoutMs: 1500 })).rejects.toMatchObject({
      code: 'device-no-answer',
      message: expect.stringMatching(/does not answer AT commands/),
    });
  });
});

describe('faults, each with a message that says what to do', () => {
  it('+CME ERROR 0: the modem firmware is too old for %ATTESTTOKEN', async () => {
    const b = await board({ attestTokenSupported: false, numberedErrors: true });
    await expect(read(b, 'at')).rejects.toMatchObject({
      code: 'device-error',
      message: expect.stringMatching(/update it/),
    });
    expect(station.app.queue.list()).toEqual([]);
  });

  it('unplugged mid-read: the read fails, the port is freed, nothing is queued', async () => {
    const b = await board({ unplugDuring: 'AT%ATTESTTOKEN' });
    await expect(read(b, 'at')).rejects.toMatchObject({
      code: 'port-unavailable',
      message: expect.stringMatching(/unplugged/),
    });
    expect(station.app.queue.list()).toEqual([]);
    expect(station.app.station.snapshot().find((t) => t.path === b.pty.appPath)?.state).toBe('error');
  });

  it('port busy: another program has it open', async () => {
    const b = await board();
    const other = new SerialPort({ path: b.pty.appPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => other.open((err) => (err ? reject(err) : resolve())));
    try {
      await expect(read(b, 'at')).rejects.toMatchObject({
        code: 'port-unavailable',
        message: expect.stringMatching(/busy.*close it/),
      });
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('reads several boards at once; a broken or silent one does not hold up the others', async () => {
    const good = await board({ deviceType: 4 });
    const silent = await board({ silent: true });
    const unplugged = await board({ unplugDuring: 'AT%ATTESTTOKEN' });
    const app = openTestApp({
      listPorts: async () =>
        [good, silent, unplugged].map((b, i) => ({
          path: b.pty.appPath,
          serialNumber: `00105100000${i}`,
          interfaceNumber: 0,
        })),
    });
    try {
      const order: string[] = [];
      app.app.on('stationChanged', (tiles) => {
        for (const t of tiles)
          if ((t.state === 'queued' || t.state === 'error') && !order.includes(t.path)) order.push(t.path);
      });
      const results = await app.app.station.readAll({ tags: ['site=x'], mode: 'at', timeoutMs: 2000 });
      expect(results).toHaveLength(3);
      const byPort = new Map(results.map((r) => [r.port, r]));
      expect(byPort.get(good.pty.appPath)).toMatchObject({
        deviceId: good.modem.config.deviceId,
        queued: true,
      });
      expect(byPort.get(silent.pty.appPath)).toMatchObject({ error: expect.stringMatching(/No answer/) });
      expect(byPort.get(unplugged.pty.appPath)).toMatchObject({ error: expect.stringMatching(/unplugged/) });
      // The good board finished before the silent one gave up.
      expect(order.indexOf(good.pty.appPath)).toBeLessThan(order.indexOf(silent.pty.appPath));
    } finally {
      app.close();
    }
  });
});

describe('hot-plug station mode', () => {
  it('reads each board as it appears, with the site tags, and never the same board twice', async () => {
    const plugged: Array<{ path: string; serialNumber: string }> = [];
    let listed = 0;
    const app = openTestApp({
      listPorts: async () => {
        listed++;
        return plugged.map((p) => ({ ...p, interfaceNumber: 0 }));
      },
    });
    let pushes = 0;
    app.app.on('stationChanged', () => pushes++);
    try {
      app.app.settings.update({ siteTags: ['location=Trondheim'] });
      app.app.station.startWatch({ mode: 'auto', intervalMs: 20 });
      const first = await board();
      plugged.push({ path: first.pty.appPath, serialNumber: '001051000001' });
      const done = () =>
        app.app.station.snapshot().find((t) => t.path === first.pty.appPath)?.state === 'queued';
      await expect.poll(done, { timeout: 10_000 }).toBe(true);
      expect(app.app.queue.list()).toEqual([
        expect.objectContaining({ deviceId: first.modem.config.deviceId, tags: ['location=Trondheim'] }),
      ]);
      // Quiet ticks (nothing plugged in or pulled out) push nothing to the UI.
      const pushesBefore = pushes;
      const listedBefore = listed;
      await expect.poll(() => listed, { timeout: 10_000 }).toBeGreaterThan(listedBefore + 3);
      expect(pushes).toBe(pushesBefore);
      // Unplug and plug the same board back in: not read again.
      plugged.length = 0;
      await expect.poll(() => app.app.station.snapshot().length, { timeout: 10_000 }).toBe(0);
      plugged.push({ path: first.pty.appPath, serialNumber: '001051000001' });
      await expect
        .poll(() => app.app.station.snapshot().find((t) => t.path === first.pty.appPath)?.state, {
          timeout: 10_000,
        })
        .toBe('already-queued');
      expect(first.modem.tokensIssued).toBe(1);
      expect(app.app.queue.list()).toHaveLength(1);
    } finally {
      app.app.station.stopWatch();
      app.close();
    }
  });
});

describe('permission denied', () => {
  it('names the dialout group (run as an unprivileged user)', async () => {
    const { runCli } = await import('../support/cli');
    const { tempDir } = await import('../support/temp-dir');
    const { chmodSync } = await import('node:fs');
    const b = await board();
    const device = realpathSync(b.pty.appPath); // /dev/pts/N: root-owned, not open to others
    const data = tempDir();
    chmodSync(data.path, 0o777);
    try {
      const result = await runCli(['--data-dir', data.path, 'scan', '--port', device, '--json'], {
        asUser: 'nobody',
      });
      expect(result.json).toMatchObject({
        error: { code: 'port-unavailable', message: expect.stringMatching(/dialout/) },
      });
      expect(result.code).toBe(1);
    } finally {
      data.remove();
    }
  });
});
