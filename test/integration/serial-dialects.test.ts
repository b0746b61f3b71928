import { realpathSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SerialLineChannel } from '../../electron/adapters/serial/line-channel';
import type { SerialProfile } from '../support/field-data';
import type { ModemConfig } from '../support/modem-sim';
import { ProfileDevice } from '../support/profile-device';
import { openPtyPair } from '../support/pty-pair';
import { makeToken } from '../support/tokens';
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

describe('a shell without `at`: the nRF Device provisioning sample', () => {
  const provisioningShell = (commands: Record<string, string>): SerialProfile => ({
    kind: 'shell',
    prompt: 'uart:~$ ',
    no_at: true,
    source: 'test',
    answers: {},
    commands,
    expect: {},
  });
  let shells: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const unplug of shells) await unplug();
    shells = [];
  });
  async function plugInShell(profile: SerialProfile) {
    const pty = await openPtyPair();
    const device = await ProfileDevice.start(pty.devicePath, profile);
    shells.push(async () => {
      await device.close();
      await pty.close();
    });
    return pty.appPath;
  }

  it('is read with `nrf_provisioning token` in shell mode too, without an IMEI', async () => {
    const { token, deviceId } = makeToken();
    const port = await plugInShell(
      provisioningShell({
        'nrf_provisioning token': `${token}\r\n\r\n`,
        'nrf_provisioning uuid': `${deviceId}\r\n\r\n`,
      }),
    );
    const result = await station.app.station.read({ port, tags: [], mode: 'shell', timeoutMs: 3000 });
    expect(result).toMatchObject({ dialect: 'shell', deviceId, imei: null, queued: true });
    expect(result.warnings.join(' ')).toMatch(/nrf_provisioning token/);
  });

  it('says what to do when the board cannot give its token', async () => {
    const port = await plugInShell(
      provisioningShell({ 'nrf_provisioning token': 'Failed to get token, err -5\r\n\r\n' }),
    );
    await expect(
      station.app.station.read({ port, tags: [], mode: 'auto', timeoutMs: 3000 }),
    ).rejects.toMatchObject({
      code: 'device-error',
      message: expect.stringMatching(
        /`nrf_provisioning token` failed on the board \(err -5\).*reset the board/,
      ),
    });
    expect(station.app.queue.list()).toEqual([]);
  });

  it('refuses a token that is not the device the board says it is', async () => {
    const port = await plugInShell(
      provisioningShell({
        'nrf_provisioning token': `${makeToken().token}\r\n\r\n`,
        'nrf_provisioning uuid': `${makeToken().deviceId}\r\n\r\n`,
      }),
    );
    await expect(
      station.app.station.read({ port, tags: [], mode: 'auto', timeoutMs: 3000 }),
    ).rejects.toMatchObject({
      code: 'invalid-token',
      message: expect.stringMatching(/the board says it is/),
    });
  });

  it('in AT mode, says the board runs a shell', async () => {
    const port = await plugInShell(provisioningShell({}));
    await expect(
      station.app.station.read({ port, tags: [], mode: 'at', timeoutMs: 3000 }),
    ).rejects.toMatchObject({
      code: 'device-error',
      message: expect.stringMatching(/runs a Zephyr shell, not an AT host.*AT\+CGSN: command not found/),
    });
  });

  it('a shell with neither `at` nor `nrf_provisioning`, in shell mode, says which firmware to build', async () => {
    const b = await board({ dialect: 'shell-no-at' });
    await expect(read(b, 'shell')).rejects.toMatchObject({
      code: 'device-error',
      message: expect.stringMatching(/neither `at` nor `nrf_provisioning`.*CONFIG_AT_SHELL/),
    });
  });
});

describe('faults, each with a message that says what to do', () => {
  it('+CME ERROR 0: the modem firmware is too old for %ATTESTTOKEN', async () => {
    const b = await board({ attestTokenSupported: false, numberedErrors: true });
    await expect(read(b, 'at')).rejects.toMatchObject({
      code: 'device-error',
      message: expect.stringMatching(/update the modem firmware/),
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
      expect(order).toEqual(expect.arrayContaining([good.pty.appPath, silent.pty.appPath]));
      expect(order.indexOf(good.pty.appPath)).toBeLessThan(order.indexOf(silent.pty.appPath));
    } finally {
      app.close();
    }
  });
});

describe('serial settings of one read', () => {
  it('opens the port with the baud rate and flow control the read asks for, else the saved settings', async () => {
    const b = await board();
    const open = vi.spyOn(SerialLineChannel, 'open');
    try {
      await read(b, 'at', { baudRate: 9600, rtscts: true });
      expect(open).toHaveBeenLastCalledWith(b.pty.appPath, { baudRate: 9600, rtscts: true });
      station.app.settings.update({ baudRate: 57600, rtscts: true });
      await read(b, 'at');
      expect(open).toHaveBeenLastCalledWith(b.pty.appPath, { baudRate: 57600, rtscts: true });
    } finally {
      open.mockRestore();
    }
  });

  it("keeps to the read's own deadline, not the saved one", async () => {
    const b = await board({ silent: true });
    station.app.settings.update({ timeoutMs: 600_000 });
    await expect(read(b, 'at', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'device-no-answer',
      message: expect.stringMatching(/within 300 ms/),
    });
  });

  it('reading every board passes baud rate, flow control and line ending on to each read', async () => {
    const b = await board({ terminator: 'cr' });
    const app = openTestApp({
      listPorts: async () => [{ path: b.pty.appPath, serialNumber: '001051200001', interfaceNumber: 0 }],
    });
    const open = vi.spyOn(SerialLineChannel, 'open');
    try {
      const [result] = await app.app.station.readAll({
        tags: [],
        mode: 'at',
        baudRate: 19200,
        rtscts: true,
        lineEnding: 'cr',
        timeoutMs: 2000,
      });
      expect(result).toMatchObject({ deviceId: b.modem.config.deviceId });
      expect(open).toHaveBeenCalledWith(b.pty.appPath, { baudRate: 19200, rtscts: true });
    } finally {
      open.mockRestore();
      app.close();
    }
  });
});

describe('serial settings of the watch', () => {
  it('reads each board it finds with the line ending, baud rate and deadline it was given', async () => {
    const b = await board({ terminator: 'cr' });
    const app = openTestApp({
      listPorts: async () => [{ path: b.pty.appPath, serialNumber: '001051200002', interfaceNumber: 0 }],
    });
    const open = vi.spyOn(SerialLineChannel, 'open');
    try {
      app.app.station.startWatch({
        mode: 'at',
        lineEnding: 'cr',
        baudRate: 38400,
        timeoutMs: 2000,
        intervalMs: 20,
      });
      await expect
        .poll(() => app.app.station.snapshot().find((t) => t.path === b.pty.appPath)?.state, {
          timeout: 10_000,
        })
        .toBe('queued');
      expect(open).toHaveBeenCalledWith(b.pty.appPath, expect.objectContaining({ baudRate: 38400 }));
    } finally {
      app.app.station.stopWatch();
      open.mockRestore();
      app.close();
    }
  });
});

describe('choosing a board by its USB serial number', () => {
  it('reads the console port of the board with that serial number', async () => {
    const console = await board({ deviceType: 6 });
    const other = await board();
    const app = openTestApp({
      listPorts: async () => [
        { path: other.pty.appPath, serialNumber: '001051202135', interfaceNumber: 2 },
        { path: console.pty.appPath, serialNumber: '001051202135', interfaceNumber: 0 },
      ],
    });
    try {
      const result = await app.app.station.readBySerialNumber('1051202135', { tags: [], mode: 'auto' });
      expect(result).toMatchObject({ port: console.pty.appPath, deviceId: console.modem.config.deviceId });
      expect(other.modem.received).toEqual([]);
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
