import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Dispatch } from '../../electron/services/dispatch';
import { channels } from '../../electron/shared/contract';
import { openDatabase } from '../../electron/adapters/db/database';
import { DevicesRepository } from '../../electron/adapters/db/devices-repo';
import { openTestApp } from '../support/station';
import { randomDeviceId } from '../support/tokens';

let station: ReturnType<typeof openTestApp>;
let dispatch: Dispatch;

beforeEach(() => {
  station = openTestApp();
  dispatch = createDispatcher(station.app);
});
afterEach(() => station.close());

const huge = 'x'.repeat(100_000);

describe('the contract dispatcher (what main runs for every IPC call)', () => {
  it('refuses unexpected extra fields on every channel with a typed error', async () => {
    for (const channel of channels) {
      const result = await dispatch(channel, { unexpected: true });
      expect(result, channel).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
  });

  it('refuses wrong types and non-objects on every channel', async () => {
    for (const channel of channels) {
      for (const bad of ['text', 42, [], true]) {
        expect(await dispatch(channel, bad), `${channel} <- ${JSON.stringify(bad)}`).toMatchObject({
          ok: false,
          error: { code: 'invalid-argument' },
        });
      }
    }
  });

  it('names the field that is wrong', async () => {
    const result = await dispatch('readPort', { port: 7 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', message: expect.stringContaining('port') },
    });
  });

  it('refuses huge strings without writing anything', async () => {
    expect(await dispatch('readPort', { port: huge })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await dispatch('setApiKey', { key: huge })).toMatchObject({ ok: false });
    expect(await dispatch('updateSettings', { apiUrl: huge })).toMatchObject({ ok: false });
    expect(await dispatch('readPort', { port: '/dev/x', tags: [huge] })).toMatchObject({ ok: false });
    expect(station.app.queue.list()).toEqual([]);
    expect((await station.app.keys.status()).stored).toBe(false);
  });

  it("checks the station's calls: a serial number to read, paths to dismiss, session tags", async () => {
    for (const [channel, args] of [
      ['readSerialNumber', {}],
      ['readSerialNumber', { serialNumber: '   ' }],
      ['readSerialNumber', { serialNumber: 'x'.repeat(201) }],
      ['dismissTiles', { paths: '/dev/ttyACM0' }],
      ['dismissTiles', { paths: [7] }],
      ['clearSession', { all: true }],
      ['updateSettings', { sessionTags: 'batch-7' }],
      ['updateSettings', { feedback: 'yes' }],
      ['updateSettings', { watch: false }],
    ] as const) {
      expect(await dispatch(channel, args), `${channel} <- ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument' },
      });
    }
    // Session tags keep the tag rule in the main process too, whatever the window checked.
    expect(await dispatch('updateSettings', { sessionTags: ['a,b'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', message: expect.stringContaining('session tags') },
    });
    expect(await dispatch('readSerialNumber', { serialNumber: '001051209999' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await dispatch('dismissTiles', {})).toMatchObject({ ok: true, value: { session: [] } });
    expect(await dispatch('setWatch', { watching: false })).toMatchObject({
      ok: true,
      value: { watching: false },
    });
    expect(station.app.settings.get().watch).toBe(false);
  });

  it('acts on a selection only where its devices still match the filters it was made under', async () => {
    const ids = [randomDeviceId(), randomDeviceId(), randomDeviceId()];
    const db = openDatabase(station.dataDir);
    new DevicesRepository(db).upsertPage(
      ids.map((id, i) => ({
        id,
        deviceType: 'nrf9151_LACA',
        imei: null,
        tags: i === 2 ? [] : ['batch-7'],
        status: 'READY',
        claimedAt: null,
        raw: { id },
      })),
      1,
    );
    db.close();
    // Selected under "tag batch-7"; the third lost that tag since (a sync, another laptop).
    const within = { tag: 'batch-7' };
    expect(await dispatch('changeDevices', { kind: 'block', ids, within })).toEqual({
      ok: true,
      value: { queued: 2, unchanged: 0, skipped: 1 },
    });
    // Pressed again: blocks are waiting for both, nothing more is queued.
    expect(await dispatch('changeDevices', { kind: 'block', ids, within })).toEqual({
      ok: true,
      value: { queued: 0, unchanged: 2, skipped: 1 },
    });
    expect(await dispatch('changeDeviceTag', { op: 'add', tag: 'x', ids, within })).toMatchObject({
      ok: true,
      value: { queued: 2, skipped: 1 },
    });
    expect(await dispatch('matchingDeviceIds', { ...within, ids })).toMatchObject({
      ok: true,
      value: expect.not.arrayContaining([ids[2]]),
    });
    expect(station.app.queue.list('pending').map((e) => e.deviceId)).not.toContain(ids[2]);
  });

  it('refuses unknown channels, including prototype names', async () => {
    for (const name of ['nope', '__proto__', 'constructor', 'toString']) {
      expect(await dispatch(name, {})).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
  });

  it('turns service errors into typed results', async () => {
    // The window cannot point the app anywhere: the API URL is not a setting it may change.
    expect(await dispatch('updateSettings', { apiUrl: 'http://127.0.0.1:9/v1/' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await dispatch('discardEntry', { id: '4b8e3b4e-59c4-4f3e-9a9e-8e0c6f1d2a3b' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await dispatch('readPort', { port: '/dev/ttyACM97' })).toMatchObject({
      ok: false,
      error: { code: 'port-unavailable' },
    });
  });

  it('answers valid calls with values', async () => {
    expect(await dispatch('getStatus', {})).toMatchObject({
      ok: true,
      value: { stage: 'prod', outbox: { pending: 0 } },
    });
    expect(await dispatch('setApiKey', { key: '  k-123  ' })).toMatchObject({
      ok: true,
      value: { stored: true },
    });
    const status = await dispatch('getStatus', {});
    expect(JSON.stringify(status)).not.toContain('k-123');
  });
});

describe('what the window may open', () => {
  it('refuses a path that is neither a listed port nor a serial device, before opening anything', async () => {
    const { symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const link = join(station.dataDir, 'looks-innocent');
    symlinkSync('/etc/hostname', link);
    for (const port of [
      '/etc/passwd',
      '/dev/pts/0',
      '/dev/tty',
      link,
      '/dev/serial/by-id/../../../etc/shadow',
    ]) {
      expect(await dispatch('readPort', { port }), port).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument', message: expect.stringMatching(/is not a serial port/) },
      });
    }
    // A serial device's name is tried (and found missing), so is a port the system lists.
    expect(await dispatch('readPort', { port: '/dev/ttyUSB97' })).toMatchObject({
      error: { code: 'port-unavailable' },
    });
  });
});

describe('where the key may be sent: never chosen from the window', () => {
  it('refuses an API URL from the window, and ignores one an older build stored', async () => {
    for (const apiUrl of [
      'http://127.0.0.1:9/v1/',
      'http://127.1:9/v1/',
      'http://[::1]:9/v1/',
      'http://localhost:9/v1/',
    ])
      expect(await dispatch('updateSettings', { apiUrl }), apiUrl).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument' },
      });
    const { openDatabase } = await import('../../electron/adapters/db/database');
    const db = openDatabase(station.dataDir);
    db.prepare(`INSERT OR REPLACE INTO settings (name, value) VALUES ('app', ?)`).run(
      JSON.stringify({ apiUrl: 'http://127.0.0.1:9/v1/', siteTags: ['kept'] }),
    );
    db.close();
    expect(await dispatch('getStatus', {})).toMatchObject({
      ok: true,
      value: { apiBase: 'https://api.provisioning.nrfcloud.com/v1/' },
    });
    expect(await dispatch('getSettings', {})).toMatchObject({ value: { apiUrl: null, siteTags: ['kept'] } });
  });
});
