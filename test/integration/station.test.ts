import { afterEach, describe, expect, it } from 'vitest';
import type { RawPort } from '../../electron/core/boards';
import { openTestApp, plugInBoard } from '../support/station';
import { waitFor } from '../support/wait';

type Board = Awaited<ReturnType<typeof plugInBoard>>;
const boards: Board[] = [];
const apps: Array<ReturnType<typeof openTestApp>> = [];

afterEach(async () => {
  for (const app of apps.splice(0)) app.close();
  await Promise.all(boards.splice(0).map((b) => b.unplug()));
});

async function board(config: Parameters<typeof plugInBoard>[0] = {}): Promise<Board> {
  const b = await plugInBoard(config);
  boards.push(b);
  return b;
}

/** A station whose USB listing is this array: push a port to plug it in, splice it out to unplug it. */
function stationWith(plugged: RawPort[], options: Parameters<typeof openTestApp>[0] = {}) {
  const app = openTestApp({
    listPorts: async () => plugged.map((p) => ({ interfaceNumber: 0, ...p })),
    ...options,
  });
  apps.push(app);
  return app;
}

const tileOf = (app: ReturnType<typeof openTestApp>, path: string) =>
  app.app.station.snapshot().find((t) => t.path === path);

describe('the port list, kept live', () => {
  it('shows a port plugged in without anyone asking, and drops it when it is pulled out', async () => {
    const plugged: RawPort[] = [];
    const app = stationWith(plugged);
    app.app.settings.update({ watch: false });
    app.app.startStation(20);
    plugged.push({ path: '/dev/ttyACM7', serialNumber: '001051200077' });
    await waitFor(() => tileOf(app, '/dev/ttyACM7') !== undefined, 'the new port to get a tile');
    expect(tileOf(app, '/dev/ttyACM7')).toMatchObject({
      board: 'nRF9151 DK',
      console: true,
      state: 'waiting',
    });
    plugged.length = 0;
    await waitFor(() => tileOf(app, '/dev/ttyACM7') === undefined, 'the tile of the port pulled out to go');
  });

  it('marks the ports that are not a console, naming the board they belong to', async () => {
    const app = stationWith([
      { path: '/dev/ttyACM0', serialNumber: '000960012345', interfaceNumber: 0 },
      { path: '/dev/ttyACM1', serialNumber: '000960012345', interfaceNumber: 2 },
      { path: '/dev/ttyACM2', serialNumber: '001050054321', interfaceNumber: 0 },
      { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' },
    ]);
    await app.app.station.listPorts();
    expect(tileOf(app, '/dev/ttyACM0')).toMatchObject({ console: true, board: 'nRF9160 DK' });
    // A kit's second port, a kit with no nRF91, an adapter nobody recognises.
    expect(tileOf(app, '/dev/ttyACM1')).toMatchObject({ console: false, board: 'nRF9160 DK' });
    expect(tileOf(app, '/dev/ttyACM2')).toMatchObject({
      console: false,
      board: expect.stringMatching(/not a cellular board/),
    });
    expect(tileOf(app, '/dev/ttyUSB0')).toMatchObject({ console: false, board: null });
  });
});

describe('the watch', () => {
  it('is on by default, and switched off it stays off after a restart', async () => {
    const first = stationWith([]);
    first.app.startStation(20);
    expect(first.app.station.isWatching()).toBe(true);
    first.app.station.setWatch(false);
    expect(first.app.settings.get().watch).toBe(false);
    first.app.close();
    apps.splice(apps.indexOf(first), 1);

    const again = stationWith([], { dataDir: first.dataDir });
    again.app.startStation(20);
    expect(again.app.station.isWatching()).toBe(false);
  });
});

describe('one tag rule for every way into the queue', () => {
  it('gives a typed-path read, a watch read, "read all" and an import the site, session and given tags', async () => {
    const plugged: RawPort[] = [];
    const app = stationWith(plugged);
    app.app.settings.update({ siteTags: ['location=Trondheim'], sessionTags: ['batch-7'] });
    const expected = ['location=Trondheim', 'batch-7'];

    const typed = await board();
    const manual = await app.app.station.read({ port: typed.pty.appPath, tags: [], mode: 'at' });
    expect(manual.tags).toEqual(expected);

    app.app.startStation(20);
    const watched = await board();
    plugged.push({ path: watched.pty.appPath, serialNumber: '001051200101' });
    await waitFor(
      () => tileOf(app, watched.pty.appPath)?.state === 'queued',
      'the watch to read the new board',
    );
    expect(tileOf(app, watched.pty.appPath)?.result?.tags).toEqual(expected);

    app.app.station.setWatch(false);
    const another = await board();
    plugged.push({ path: another.pty.appPath, serialNumber: '001051200102' });
    const all = await app.app.station.readAll({ tags: [], mode: 'at' });
    expect(all.map((r) => ('tags' in r ? r.tags : r.error))).toEqual([expected, expected]);

    const { makeToken } = await import('../support/tokens');
    const preview = await app.app.imports.previewBytes('t.csv', Buffer.from(`${makeToken().token}\n`));
    app.app.imports.commitPreview(preview.id, []);
    const byKind = app.app.queue.list().map((e) => e.tags);
    expect(byKind).toHaveLength(4);
    for (const tags of byKind) expect(tags).toEqual(expected);
  });

  it('refuses tags that break the rule before the port is touched: no tile shows them', async () => {
    const app = stationWith([]);
    const b = await board();
    await expect(
      app.app.station.read({ port: b.pty.appPath, tags: ['x'.repeat(101)], mode: 'at' }),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/101 characters/) });
    expect(tileOf(app, b.pty.appPath)).toBeUndefined();
    expect(b.modem.received).toEqual([]);
    expect(() => app.app.settings.update({ sessionTags: ['a,b'] })).toThrow(/session tags: .*comma/);
  });
});

describe('tiles', () => {
  it('put the tile of a read just started first, and keep a typed path until it is dismissed', async () => {
    const app = stationWith([
      { path: '/dev/ttyACM1', serialNumber: '001051200201' },
      { path: '/dev/ttyACM2', serialNumber: '001051200202' },
    ]);
    await app.app.station.listPorts();
    const b = await board();
    const reading = app.app.station.read({ port: b.pty.appPath, tags: [], mode: 'at' });
    const first = app.app.station.snapshot()[0]!;
    expect(first).toMatchObject({ path: b.pty.appPath, state: 'connecting', manual: true });
    expect(first.startedAt).not.toBeNull();
    expect(first.deadlineMs).toBeGreaterThan(0);
    await reading;
    await app.app.station.listPorts();
    expect(tileOf(app, b.pty.appPath)).toMatchObject({ state: 'queued', startedAt: null });

    app.app.station.dismiss([b.pty.appPath]);
    expect(tileOf(app, b.pty.appPath)).toBeUndefined();
  });

  it('dismissed one by one or together: a port still plugged in waits for a read again', async () => {
    const good = await board();
    const silent = await board({ silent: true });
    const app = stationWith([
      { path: good.pty.appPath, serialNumber: '001051200301' },
      { path: silent.pty.appPath, serialNumber: '001051200302' },
    ]);
    await app.app.station.readAll({ tags: [], mode: 'at', timeoutMs: 1500 });
    expect(tileOf(app, good.pty.appPath)?.state).toBe('queued');
    expect(tileOf(app, silent.pty.appPath)?.state).toBe('error');

    app.app.station.dismiss([silent.pty.appPath]);
    expect(tileOf(app, silent.pty.appPath)).toMatchObject({ state: 'waiting', error: null });
    expect(tileOf(app, good.pty.appPath)?.state).toBe('queued');
    app.app.station.dismiss();
    expect(tileOf(app, good.pty.appPath)).toMatchObject({ state: 'waiting', result: null });
  });
});

describe("the session's reads", () => {
  it('keep every outcome after the port is gone, newest first, until a new session', async () => {
    const plugged: RawPort[] = [];
    const app = stationWith(plugged);
    const good = await board();
    const silent = await board({ silent: true });
    plugged.push({ path: good.pty.appPath, serialNumber: '001051200401' });
    plugged.push({ path: silent.pty.appPath, serialNumber: '001051200402' });
    await app.app.station.listPorts();
    await app.app.station.read({ port: good.pty.appPath, tags: [], mode: 'at' });
    await app.app.station.read({ port: good.pty.appPath, tags: [], mode: 'at' });
    await expect(
      app.app.station.read({ port: silent.pty.appPath, tags: [], mode: 'at', timeoutMs: 300 }),
    ).rejects.toThrow();
    plugged.length = 0;
    await app.app.station.listPorts();
    expect(app.app.station.snapshot()).toEqual([]);

    const { session } = app.app.station.view();
    expect(session.map((r) => r.outcome)).toEqual(['error', 'duplicate', 'queued']);
    expect(session[2]).toMatchObject({
      deviceId: good.modem.config.deviceId,
      imei: '351358815178345',
      board: 'nRF9151 DK',
      serialNumber: '001051200401',
    });
    expect(session[0]?.error).toMatch(/No answer/);
    expect(app.app.station.clearSession().session).toEqual([]);
  });
});
