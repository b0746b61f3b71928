import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { DevicesRepository } from '../../electron/adapters/db/devices-repo';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import type { DeviceSort } from '../../electron/shared/types';
import { queueClaims } from '../support/queue';
import { openTestApp } from '../support/station';
import { makeToken, randomDeviceId } from '../support/tokens';

let station: ReturnType<typeof openTestApp>;
beforeEach(() => (station = openTestApp()));
afterEach(() => station.close());

/** `count` devices in the local copy, every tenth tagged zone=north, every fourth blocked, claimed a second apart. */
function seedDevices(count: number): string[] {
  const ids = Array.from({ length: count }, () => randomDeviceId());
  const db = openDatabase(station.dataDir);
  new DevicesRepository(db).upsertPage(
    ids.map((id, i) => ({
      id,
      deviceType: i % 2 ? 'nrf9151_LACA' : 'nrf9161_LACA',
      imei: String(351358800000000 + i),
      tags: i % 10 === 0 ? ['zone=north', `n=${i}`] : [`n=${i}`],
      status: i % 4 === 0 ? 'BLOCKED' : 'READY',
      claimedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      raw: { id },
    })),
    1,
  );
  db.close();
  return ids;
}

describe('the devices screen and the CLI ask SQLite for what they show', () => {
  it('pages in order, newest first, with the total and what the filters can offer', () => {
    const ids = seedDevices(1_000);
    const first = station.app.devices.page({}, 0, 50);
    expect(first.total).toBe(1_000);
    expect(first.rows.map((d) => d.id)).toEqual(ids.slice(-50).reverse());
    expect(station.app.devices.page({ descending: false }, 950, 100).rows.map((d) => d.id)).toEqual(
      ids.slice(950),
    );
    expect(first.filters?.types).toEqual(['nrf9151_LACA', 'nrf9161_LACA']);
    expect(first.filters?.tags).toContain('zone=north');
    expect(station.app.devices.page({}, 50, 50).filters).toBeUndefined();
  });

  it('offers the filters the data has now: a change by another process or by this one shows at once', () => {
    seedDevices(10);
    expect(station.app.devices.page({ search: 'x' }, 0, 50).filters?.types).toEqual([
      'nrf9151_LACA',
      'nrf9161_LACA',
    ]);
    // Another process (the CLI) adds a device of another type.
    const db = openDatabase(station.dataDir);
    new DevicesRepository(db).upsert({
      id: randomDeviceId(),
      deviceType: 'nrf9131_LACA',
      imei: null,
      tags: ['dock=3'],
      status: 'READY',
      claimedAt: null,
      raw: {},
    });
    db.close();
    const next = station.app.devices.page({}, 0, 50).filters;
    expect(next?.types).toEqual(['nrf9131_LACA', 'nrf9151_LACA', 'nrf9161_LACA']);
    expect(next?.tags).toContain('dock=3');
    // This process renames a tag.
    station.app.changes.createTag('dock=3');
    station.app.changes.updateTag('dock=3', { to: 'dock=4' });
    expect(station.app.devices.page({}, 0, 50).filters?.tags).toContain('dock=4');
    expect(station.app.devices.page({}, 0, 50).filters?.tags).not.toContain('dock=3');
  });

  it('sorts by any column, the UUID breaking ties, a page at a time', () => {
    const ids = seedDevices(300);
    const all = (sort: DeviceSort, descending: boolean) =>
      [0, 100, 200].flatMap((offset) =>
        station.app.devices.page({ sort, descending }, offset, 100).rows.map((d) => d.id),
      );
    expect(all('id', false)).toEqual([...ids].sort());
    expect(all('imei', true)).toEqual([...ids].reverse()); // IMEIs were given in claim order
    const byType = all('type', false);
    const typeOf = (id: string) => (ids.indexOf(id) % 2 ? 'nrf9151_LACA' : 'nrf9161_LACA');
    expect(byType.map(typeOf)).toEqual([
      ...Array(150).fill('nrf9151_LACA'),
      ...Array(150).fill('nrf9161_LACA'),
    ]);
    expect(byType.slice(0, 150)).toEqual(ids.filter((_, i) => i % 2).sort());
    const byStatus = station.app.devices.page({ sort: 'status', descending: true }, 0, 300).rows;
    expect(byStatus.findIndex((d) => d.status === 'BLOCKED')).toBe(225); // READY sorts after BLOCKED
  });

  it('takes a search as text, not a pattern, and counts as it pages', () => {
    seedDevices(300);
    for (const search of ['%', '_', '%%%', '___']) {
      expect(station.app.devices.page({ search }, 0, 10).total).toBe(0);
    }
    const broad = station.app.devices.page({ search: '3513588' }, 0, 10);
    expect(broad.total).toBe(300);
    expect(broad.rows).toHaveLength(10);
    expect(station.app.devices.page({ search: '3513588', blocked: true }, 0, 10).total).toBe(75);
  });

  it('filters by tag, blocked, type and search, each in SQL, and counts what matches', () => {
    const ids = seedDevices(1_000);
    const north = station.app.devices.page({ tag: 'zone=north' }, 0, 1_000);
    expect(north.total).toBe(100);
    expect(north.rows.every((d) => d.tags.includes('zone=north'))).toBe(true);
    expect(station.app.devices.page({ blocked: true, tag: 'zone=north' }, 0, 10).total).toBe(50);
    expect(station.app.devices.page({ blocked: false, type: 'nrf9151_LACA' }, 0, 10).total).toBe(500);
    // Part of an IMEI, part of a UUID, and too short for the trigram index.
    expect(station.app.devices.page({ search: '800000777' }, 0, 10).rows.map((d) => d.id)).toEqual([
      ids[777],
    ]);
    expect(
      station.app.devices.page({ search: ids[123]!.slice(9, 18) }, 0, 10).rows.map((d) => d.id),
    ).toContain(ids[123]);
    expect(station.app.devices.page({ search: '7' }, 0, 1).total).toBeGreaterThan(0);
    expect(station.app.devices.ids({ tag: 'zone=north', blocked: true })).toHaveLength(50);
  });

  it('counts the devices of each tag in SQL', () => {
    seedDevices(1_000);
    station.app.changes.createTag('zone=north');
    expect(station.app.devices.tags()).toEqual([{ tag: 'zone=north', description: '', devices: 100 }]);
  });

  it('gives a page of devices their queued changes on top', () => {
    const ids = seedDevices(10);
    station.app.changes.device('block', ids[9]!);
    const [newest] = station.app.devices.page({}, 0, 1).rows;
    expect(newest).toMatchObject({ id: ids[9], pending: ['block'] });
  });
});

describe('the outbox, read and kept small', () => {
  it('pages the queue by state and finds entries by device UUID, IMEI or tag', () => {
    const tokens = Array.from({ length: 30 }, () => makeToken());
    queueClaims(station.dataDir, tokens.slice(0, 10), { imei: '351358815170001', tags: ['site=oslo'] });
    queueClaims(station.dataDir, tokens.slice(10), { tags: ['site=bergen'] });
    const page = station.app.queue.page({ state: 'open' }, 0, 25);
    expect(page).toMatchObject({ total: 30 });
    expect(page.rows).toHaveLength(25);
    expect(station.app.queue.page({ search: '815170001' }, 0, 100).total).toBe(10);
    expect(station.app.queue.page({ search: 'bergen' }, 0, 100).total).toBe(20);
    expect(
      station.app.queue.page({ search: tokens[15]!.deviceId.slice(0, 8) }, 0, 100).rows[0]?.deviceId,
    ).toBe(tokens[15]!.deviceId);
    // The token's own text is not searched: a piece of it finds nothing.
    expect(station.app.queue.page({ search: tokens[3]!.token.slice(40, 52) }, 0, 100).total).toBe(0);
    // A block carries no IMEI of its own: the queue shows its device's from the local copy.
    const [device] = seedDevices(1);
    station.app.changes.device('block', device!);
    const block = station.app.queue.page({ state: 'pending' }, 0, 100).rows.find((e) => e.kind === 'block');
    expect(block?.imei).toBe('351358800000000');
    // What is typed is text, not a pattern: % and _ match themselves; a quote in a tag is found.
    expect(station.app.queue.page({ search: '%' }, 0, 100).total).toBe(0);
    expect(station.app.queue.page({ search: 'site_oslo' }, 0, 100).total).toBe(0);
    queueClaims(station.dataDir, [makeToken()], { tags: ['rack "7"', 'a\\b'] });
    expect(station.app.queue.page({ search: 'rack "7' }, 0, 100).total).toBe(1);
    expect(station.app.queue.page({ search: 'a\\b' }, 0, 100).total).toBe(1);
  });

  it('finds a claim by the IMEI a later read of its board added', () => {
    const token = makeToken();
    const db = openDatabase(station.dataDir);
    try {
      const outbox = new OutboxRepository(db);
      outbox.enqueueClaim(token.deviceId, { token: token.token, tags: [], imei: null });
      expect(station.app.queue.page({ search: '815179999' }, 0, 100).total).toBe(0);
      expect(
        outbox.enqueueClaim(token.deviceId, { token: token.token, tags: [], imei: '351358815179999' })
          .outcome,
      ).toBe('refreshed');
    } finally {
      db.close();
    }
    expect(station.app.queue.page({ search: '815179999' }, 0, 100).rows.map((e) => e.deviceId)).toEqual([
      token.deviceId,
    ]);
  });

  it('archives finished entries after the retention period: they leave the queue and stay in the site report', () => {
    const tokens = [makeToken(), makeToken()];
    queueClaims(station.dataDir, tokens, { imei: '351358815170002' });
    const db = openDatabase(station.dataDir);
    const outbox = new OutboxRepository(db);
    for (const entry of station.app.queue.list()) outbox.markDone(entry.id);
    db.prepare(`UPDATE outbox SET updated_at = '2020-01-01T00:00:00.000Z' WHERE device_id = ?`).run(
      tokens[0]!.deviceId,
    );
    expect(outbox.archiveDone(new Date(Date.now() - 30 * 86_400_000).toISOString())).toBe(1);
    const archived = db.prepare('SELECT * FROM outbox_archive').get() as Record<string, unknown>;
    db.close();
    expect(archived).toMatchObject({
      device_id: tokens[0]!.deviceId,
      state: 'done',
      imei: '351358815170002',
    });
    expect(JSON.stringify(archived)).not.toContain(tokens[0]!.token);
    expect(station.app.queue.list().map((e) => e.deviceId)).toEqual([tokens[1]!.deviceId]);
    const report = station.app.status.siteReport().csv;
    for (const t of tokens) expect(report).toContain(t.deviceId);
  });
});
