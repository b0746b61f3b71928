import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialLineChannel } from '../../electron/adapters/serial/line-channel';
import { openTestApp, plugInBoard } from '../support/station';

let station: ReturnType<typeof openTestApp>;
let board: Awaited<ReturnType<typeof plugInBoard>> | null = null;

beforeEach(() => {
  station = openTestApp();
});
afterEach(async () => {
  await board?.unplug();
  board = null;
  station.close();
});

async function read(
  config: Parameters<typeof plugInBoard>[0] = {},
  request: { timeoutMs?: number; lineEnding?: 'crlf' | 'cr' | 'lf' } = {},
) {
  board = await plugInBoard(config);
  return station.app.station.read({ port: board.pty.appPath, tags: ['site=test'], mode: 'at', ...request });
}

describe('reading a board over AT (pty + modem simulator)', () => {
  it('reads IMEI, model, firmware and the token, and queues the claim', async () => {
    const result = await read({ deviceType: 4, model: 'nRF9161-LACA' });
    expect(result).toMatchObject({
      deviceId: board!.modem.config.deviceId,
      deviceType: 'nRF9161 LACA',
      imei: '351358815178345',
      model: 'nRF9161-LACA',
      firmware: 'mfw_nrf91x1_2.0.2',
      tags: ['site=test'],
      queued: true,
      duplicate: false,
      warnings: [],
    });
    expect(board!.modem.received).toEqual(['AT+CGSN', 'AT+CGMM', 'AT+CGMR', 'AT%ATTESTTOKEN']);
    const [entry] = station.app.queue.list();
    expect(entry).toMatchObject({
      kind: 'claim',
      deviceId: result.deviceId,
      state: 'pending',
      imei: '351358815178345',
    });
  });

  it('ignores echo, blank lines, unsolicited codes and log lines between command and answer', async () => {
    const result = await read({ echo: true, noise: true });
    expect(result.imei).toBe('351358815178345');
    expect(result.firmware).toBe('mfw_nrf91x1_2.0.2');
    expect(result.deviceId).toBe(board!.modem.config.deviceId);
  });

  it('works with CR-only command termination', async () => {
    const result = await read({}, { lineEnding: 'cr' });
    expect(result.queued).toBe(true);
  });

  it('says so when the same board is read twice, and queues nothing new', async () => {
    const first = await read();
    const second = await station.app.station.read({ port: board!.pty.appPath, tags: [], mode: 'at' });
    expect(first.queued).toBe(true);
    expect(second).toMatchObject({ queued: false, duplicate: true, deviceId: first.deviceId });
    expect(board!.modem.tokensIssued).toBe(2);
    expect(station.app.queue.list()).toHaveLength(1);
  });

  it('warns, without refusing, for an nRF9160', async () => {
    const result = await read({ deviceType: 3, model: 'nRF9160-SICA', firmware: 'mfw_nrf9160_1.3.5' });
    expect(result.queued).toBe(true);
    expect(result.warnings[0]).toMatch(/nRF9160.*some accounts/);
  });

  it('warns when the modem names another chip than its token does', async () => {
    const result = await read({ deviceType: 6, model: 'nRF9161-LACA' });
    expect(result.queued).toBe(true);
    expect(result.warnings).toEqual([expect.stringMatching(/nRF9161-LACA.*token says nRF9151 LACA/)]);
  });

  it('fails with a deadline error naming the port when the board says nothing, and frees the port', async () => {
    board = await plugInBoard({ silent: true });
    const port = board.pty.appPath;
    await expect(
      station.app.station.read({ port, tags: [], mode: 'at', timeoutMs: 400 }),
    ).rejects.toMatchObject({
      code: 'device-no-answer',
      message: expect.stringContaining(port),
    });
    expect(board.modem.received).toEqual(['AT+CGSN']);
    // The port was closed: it can be opened again at once (serialport locks ports it holds open).
    const channel = await SerialLineChannel.open(port, { baudRate: 115200, rtscts: false });
    await channel.close();
    expect(station.app.queue.list()).toEqual([]);
  });

  it('explains old modem firmware that lacks %ATTESTTOKEN', async () => {
    await expect(read({ attestTokenSupported: false })).rejects.toMatchObject({
      code: 'device-error',
      message: expect.stringMatching(/not supported by this modem firmware/),
    });
    expect(station.app.queue.list()).toEqual([]);
  });

  it('names a port that does not exist', async () => {
    await expect(
      station.app.station.read({ port: '/dev/does-not-exist', tags: [], mode: 'at' }),
    ).rejects.toMatchObject({
      code: 'port-unavailable',
      message: expect.stringContaining('/dev/does-not-exist'),
    });
  });

  it('refuses a tag over 100 characters before touching the port', async () => {
    board = await plugInBoard();
    await expect(
      station.app.station.read({ port: board.pty.appPath, tags: ['x'.repeat(101)], mode: 'at' }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(board.modem.received).toEqual([]);
  });

  it('records what was read, where and when', async () => {
    const result = await read();
    const devices = station.app.devices.list();
    expect(devices).toEqual([]); // not claimed yet: the read is recorded, the device list is the service's
    const { DevicesRepository } = await import('../../electron/adapters/db/devices-repo');
    const { openDatabase } = await import('../../electron/adapters/db/database');
    const db = openDatabase(station.dataDir);
    const [read1] = new DevicesRepository(db).reads(result.deviceId);
    db.close();
    expect(read1).toMatchObject({
      port: board!.pty.appPath,
      model: 'nRF9151-LACA',
      imei: '351358815178345',
      deviceType: 6,
    });
    expect(Date.parse(read1!.readAt)).toBeGreaterThan(Date.now() - 60_000);
  });
});
