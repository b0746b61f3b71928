import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFileName, openDatabase, write } from '../../electron/adapters/db/database';
import { latestSchemaVersion, migrate, NewerDatabaseError } from '../../electron/adapters/db/migrations';
import { retryableFailures } from '../../electron/core/failure-kind';
import { OutboxQueries } from '../../electron/adapters/db/outbox-queries';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';

const entriesIn = (db: Database.Database) => [...new OutboxQueries(db).iterate()];
import { tempDir } from '../support/temp-dir';

let dir: ReturnType<typeof tempDir>;
let raw: Database.Database;
beforeEach(() => {
  dir = tempDir();
  raw = new Database(join(dir.path, 'migrate.sqlite'));
});
afterEach(() => {
  raw.close();
  dir.remove();
});

const tables = (db: Database.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('migrations', () => {
  it('1 creates the outbox', () => {
    migrate(raw, 1);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(raw)).toContain('outbox');
  });

  it('2 adds devices and device reads, keeping outbox rows', () => {
    migrate(raw, 1);
    raw
      .prepare(
        `INSERT INTO outbox (client_id, kind, device_id, payload, state, created_at, updated_at)
         VALUES ('c1', 'claim', 'd1', '{"token":"t","tags":[],"imei":null}', 'pending', 'x', 'x')`,
      )
      .run();
    migrate(raw, 2);
    expect(tables(raw)).toEqual(expect.arrayContaining(['devices', 'device_reads', 'outbox']));
    expect(raw.prepare('SELECT client_id FROM outbox').all()).toEqual([{ client_id: 'c1' }]);
  });

  it('3 adds settings, keeping devices', () => {
    migrate(raw, 2);
    raw.prepare(`INSERT INTO devices (id, raw, pulled_at) VALUES ('d1', '{}', 'x')`).run();
    migrate(raw, 3);
    expect(tables(raw)).toContain('settings');
    expect(raw.prepare('SELECT id FROM devices').all()).toEqual([{ id: 'd1' }]);
  });

  it('4 marks existing entries certain and adds the tags table, keeping outbox rows', () => {
    migrate(raw, 3);
    raw
      .prepare(
        `INSERT INTO outbox (client_id, kind, device_id, payload, state, created_at, updated_at)
         VALUES ('c1', 'claim', 'd1', '{"token":"t","tags":[],"imei":null}', 'sending', 'x', 'x')`,
      )
      .run();
    migrate(raw, 4);
    expect(raw.prepare('SELECT client_id, uncertain, state FROM outbox').all()).toEqual([
      { client_id: 'c1', uncertain: 0, state: 'sending' },
    ]);
    expect(tables(raw)).toContain('tags');
  });

  it('5 records the site of each read, existing reads getting an empty site', () => {
    migrate(raw, 4);
    raw
      .prepare(
        `INSERT INTO device_reads (device_id, device_type, imei, model, firmware, port, read_at)
         VALUES ('d1', 6, NULL, NULL, NULL, '/dev/ttyACM0', 'x')`,
      )
      .run();
    migrate(raw, 5);
    expect(raw.prepare('SELECT device_id, site FROM device_reads').all()).toEqual([
      { device_id: 'd1', site: '' },
    ]);
  });

  it("10 copies each claim's IMEI into a column, for the Queue's search", () => {
    migrate(raw, 9);
    const insert = raw.prepare(
      `INSERT INTO outbox (client_id, kind, device_id, payload, state, created_at, updated_at)
       VALUES (?, ?, 'd1', ?, 'done', 'x', 'x')`,
    );
    insert.run('c1', 'claim', '{"token":"t","tags":[],"imei":"351358815170003"}');
    insert.run('c2', 'claim', '{"token":"t","tags":[],"imei":null}');
    insert.run('c3', 'block', '{}');
    migrate(raw, 10);
    expect(raw.prepare('SELECT client_id, imei FROM outbox ORDER BY client_id').all()).toEqual([
      { client_id: 'c1', imei: '351358815170003' },
      { client_id: 'c2', imei: null },
      { client_id: 'c3', imei: null },
    ]);
  });

  it('refuses a database from a newer version and changes nothing', () => {
    raw.pragma(`user_version = ${latestSchemaVersion + 1}`);
    expect(() => migrate(raw)).toThrow(NewerDatabaseError);
    expect(tables(raw)).toEqual([]);
  });
});

describe('the database file', () => {
  it('opens in WAL mode with full sync, private to the user', () => {
    const db = openDatabase(join(dir.path, 'data'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
      expect(statSync(join(dir.path, 'data')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir.path, 'data', databaseFileName)).mode & 0o777).toBe(0o600);
    } finally {
      db.close();
    }
  });

  it('gives a new database 16 KiB pages, and opens one made with 4 KiB pages as it is', () => {
    const fresh = openDatabase(join(dir.path, 'new'));
    expect(fresh.pragma('page_size', { simple: true })).toBe(16384);
    fresh.close();
    const oldDir = join(dir.path, 'old');
    const old = openDatabase(oldDir);
    old.close();
    const made = new Database(join(oldDir, databaseFileName));
    made.pragma('journal_mode = DELETE');
    made.pragma('page_size = 4096');
    made.exec('VACUUM');
    made.close();
    const reopened = openDatabase(oldDir);
    try {
      expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
      expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(
        new OutboxRepository(reopened).enqueueClaimBatches([
          [{ deviceId: 'd', payloadJson: JSON.stringify({ token: 't', tags: [], imei: null }) }],
        ]),
      ).toMatchObject({ queued: 1 });
    } finally {
      reopened.close();
    }
  });
});

describe('writes', () => {
  it('take the write lock up front, and one inside another joins it: an error undoes both', () => {
    const db = openDatabase(join(dir.path, 'data'));
    const outbox = new OutboxRepository(db);
    const kept = outbox.enqueueClaim('dev-kept', { token: 'k', tags: [], imei: null }).entry;
    const other = new Database(join(dir.path, 'data', databaseFileName), { timeout: 0 });
    expect(() =>
      write(db, () => {
        expect(db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(1);
        // Only read so far, and yet no other process may start writing.
        expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/);
        outbox.enqueue('block', 'dev-kept', {});
        outbox.markDone(kept.id);
        throw new Error('part way');
      }),
    ).toThrow('part way');
    expect(entriesIn(db).map((e) => [e.kind, e.state])).toEqual([['claim', 'pending']]);
    other.close();
    db.close();
  });
});

describe('the outbox', () => {
  it('de-duplicates claims by device UUID: the newest token wins while unsent', () => {
    const db = openDatabase(join(dir.path, 'data'));
    const outbox = new OutboxRepository(db);
    const first = outbox.enqueueClaim('dev-1', { token: 'old', tags: ['a'], imei: null });
    const second = outbox.enqueueClaim('dev-1', { token: 'new', tags: ['b'], imei: '351358815178345' });
    expect(first.outcome).toBe('queued');
    expect(second.outcome).toBe('refreshed');
    expect(second.entry.id).toBe(first.entry.id);
    const [only] = entriesIn(db);
    expect(entriesIn(db)).toHaveLength(1);
    expect(only?.payload).toEqual({ token: 'new', tags: ['a', 'b'], imei: '351358815178345' });
    db.close();
  });

  const claim = (deviceId: string, token: string, tags: string[] = []) => ({
    deviceId,
    payloadJson: JSON.stringify({ token, tags, imei: null }),
  });

  it('imports claims batch by batch in one go, de-duplicated within the import and against the queue', () => {
    const db = openDatabase(join(dir.path, 'data'));
    const outbox = new OutboxRepository(db);
    outbox.enqueueClaim('dev-a', { token: 'a-old', tags: ['x'], imei: null });
    const done = outbox.enqueueClaim('dev-done', { token: 'd', tags: [], imei: null }).entry;
    outbox.markDone(done.id);
    const counts = outbox.enqueueClaimBatches([
      [claim('dev-a', 'a-new', ['y']), claim('dev-b', 'b-1')],
      [claim('dev-b', 'b-2', ['z']), claim('dev-done', 'd2'), claim('dev-c', 'c')],
    ]);
    expect(counts).toEqual({ queued: 2, refreshed: 2, 'in-flight': 0, 'already-claimed': 1 });
    const byDevice = new Map(entriesIn(db).map((e) => [e.deviceId, e.payload]));
    expect(byDevice.get('dev-a')).toEqual({ token: 'a-new', tags: ['x', 'y'], imei: null });
    expect(byDevice.get('dev-b')).toEqual({ token: 'b-2', tags: ['z'], imei: null });
    expect(entriesIn(db)).toHaveLength(4);
    db.close();
  });

  it('lands none of an import whose batches fail part way', () => {
    const db = openDatabase(join(dir.path, 'data'));
    const outbox = new OutboxRepository(db);
    outbox.enqueueClaim('dev-a', { token: 'a', tags: [], imei: null });
    function* failing() {
      yield [claim('dev-b', 'b'), claim('dev-a', 'a-new')];
      throw new Error('the reader failed');
    }
    expect(() => outbox.enqueueClaimBatches(failing())).toThrow('the reader failed');
    expect(entriesIn(db).map((e) => [e.deviceId, e.payload])).toEqual([
      ['dev-a', { token: 'a', tags: [], imei: null }],
    ]);
    db.close();
  });

  it('does not queue a device again once it is claimed, or while its claim is being sent', () => {
    const db = openDatabase(join(dir.path, 'data'));
    const outbox = new OutboxRepository(db);
    const { entry } = outbox.enqueueClaim('dev-1', { token: 't1', tags: [], imei: null });
    outbox.markSending([entry.id]);
    expect(outbox.enqueueClaim('dev-1', { token: 't2', tags: [], imei: null }).outcome).toBe('in-flight');
    outbox.markDone(entry.id);
    expect(outbox.enqueueClaim('dev-1', { token: 't3', tags: [], imei: null }).outcome).toBe(
      'already-claimed',
    );
    expect(entriesIn(db)).toHaveLength(1);
    expect(new OutboxQueries(db).get(entry.id)?.payload).toMatchObject({ token: 't1' });
    db.close();
  });

  it('keeps entries across a reopen, with client id, state and attempts', () => {
    const dataDir = join(dir.path, 'data');
    let db = openDatabase(dataDir);
    const { entry } = new OutboxRepository(db).enqueueClaim('dev-2', { token: 't', tags: [], imei: null });
    new OutboxRepository(db).markSending([entry.id]);
    new OutboxRepository(db).markFailed(entry.id, 'Invalid attestation token');
    db.close();
    db = openDatabase(dataDir);
    const again = new OutboxQueries(db).get(entry.id);
    expect(again).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: 'Invalid attestation token',
      deviceId: 'dev-2',
    });
    expect(again?.id).toMatch(/^[0-9a-f-]{36}$/);
    db.close();
  });

  it('retries failed entries and discards only unsent ones', () => {
    const db = openDatabase(join(dir.path, 'data'));
    const outbox = new OutboxRepository(db);
    const a = outbox.enqueueClaim('a', { token: 't', tags: [], imei: null }).entry;
    const b = outbox.enqueueClaim('b', { token: 't', tags: [], imei: null }).entry;
    const c = outbox.enqueueClaim('c', { token: 't', tags: [], imei: null }).entry;
    outbox.markFailed(a.id, 'bad');
    outbox.markFailed(c.id, 'Already claimed by another team', 'claimed-elsewhere');
    expect(new OutboxQueries(db).get(c.id)?.failure).toBe('claimed-elsewhere');
    // Retrying a claim another team owns would fail the same way: it stays failed.
    expect(outbox.retry('all-failed', retryableFailures)).toBe(1);
    expect(outbox.retry(c.id, retryableFailures)).toBe(0);
    expect(new OutboxQueries(db).get(a.id)).toMatchObject({ state: 'pending', failure: null });
    expect(new OutboxQueries(db).get(c.id)?.state).toBe('failed');
    outbox.discard(c.id);
    outbox.markDone(b.id);
    expect(outbox.discard(b.id)).toBe(0);
    expect(outbox.discard(a.id)).toBe(1);
    expect(new OutboxQueries(db).counts()).toEqual({ pending: 0, sending: 0, failed: 0, done: 1 });
    db.close();
  });
});
