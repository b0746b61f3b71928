import type Database from 'better-sqlite3';
import { CodedError } from '../../shared/result';

/**
 * Forward-only schema changes. Entry N brings the database from user_version N-1 to N.
 * Never edit a released migration: add a new one.
 */
export const migrations: ReadonlyArray<(db: Database.Database) => void> = [
  // 1: the outbox. `seq` orders entries (laptop clocks are wrong; a sequence is not).
  (db) =>
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        device_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX outbox_state_seq ON outbox (state, seq);
      CREATE INDEX outbox_device ON outbox (device_id, seq);
    `),
  // 2: what the service told us about claimed devices, and what we read from each board.
  (db) =>
    db.exec(`
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        device_type TEXT,
        imei TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        status TEXT,
        claimed_at TEXT,
        raw TEXT NOT NULL,
        pulled_at TEXT NOT NULL
      );
      CREATE TABLE device_reads (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL,
        device_type INTEGER NOT NULL,
        imei TEXT,
        model TEXT,
        firmware TEXT,
        port TEXT NOT NULL,
        read_at TEXT NOT NULL
      );
      CREATE INDEX device_reads_device ON device_reads (device_id, seq);
    `),
  // 3: settings the technician chooses (never the API key: that lives in the OS keychain).
  (db) =>
    db.exec(`
      CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `),
  // 4: entries whose request may have reached the service without us seeing the answer (settled by
  // asking before any resend), and the team's tags as last pulled or changed here.
  (db) =>
    db.exec(`
      ALTER TABLE outbox ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX outbox_backoff ON outbox (state, next_attempt_at) WHERE next_attempt_at IS NOT NULL;
      CREATE INDEX outbox_barriers ON outbox (seq) WHERE kind IN ('tag-update', 'tag-delete');
      CREATE TABLE tags (
        name TEXT PRIMARY KEY,
        service_id TEXT,
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT
      );
    `),
  // 5: the site that was active when a board was read, for the site report.
  (db) => db.exec(`ALTER TABLE device_reads ADD COLUMN site TEXT NOT NULL DEFAULT ''`),
  // 6: the file says whose it is (another application's SQLite file is never adopted), and
  // leases: which process syncs this data folder (one at a time) and who else is writing.
  (db) => {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec(`
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        label TEXT NOT NULL,
        pid INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `);
  },
  // 7: reading the local copy by query: each device's tags as rows (filters and counts in SQL), a
  // trigram index for UUID and IMEI search, and what a resumable refresh needs (the pass that last
  // saw a device, when it was last written here, and the pass in progress with its cursor).
  (db) =>
    db.exec(`
      ALTER TABLE devices ADD COLUMN seen_pass INTEGER;
      ALTER TABLE devices ADD COLUMN touched_at INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX devices_claimed ON devices (claimed_at, id);
      CREATE TABLE device_tags (
        tag TEXT NOT NULL,
        device_id TEXT NOT NULL,
        PRIMARY KEY (tag, device_id)
      ) WITHOUT ROWID;
      CREATE INDEX device_tags_device ON device_tags (device_id);
      INSERT OR IGNORE INTO device_tags SELECT DISTINCT j.value, d.id FROM devices d, json_each(d.tags) j;
      CREATE TRIGGER devices_tags_insert AFTER INSERT ON devices BEGIN
        INSERT OR IGNORE INTO device_tags SELECT value, new.id FROM json_each(new.tags);
      END;
      CREATE TRIGGER devices_tags_update AFTER UPDATE OF tags ON devices BEGIN
        DELETE FROM device_tags WHERE device_id = old.id;
        INSERT OR IGNORE INTO device_tags SELECT value, new.id FROM json_each(new.tags);
      END;
      CREATE TRIGGER devices_tags_delete AFTER DELETE ON devices BEGIN
        DELETE FROM device_tags WHERE device_id = old.id;
      END;
      CREATE VIRTUAL TABLE devices_search USING fts5(
        id, imei, content = 'devices', content_rowid = 'rowid', tokenize = 'trigram');
      INSERT INTO devices_search (devices_search) VALUES ('rebuild');
      CREATE TRIGGER devices_search_insert AFTER INSERT ON devices BEGIN
        INSERT INTO devices_search (rowid, id, imei) VALUES (new.rowid, new.id, new.imei);
      END;
      CREATE TRIGGER devices_search_update AFTER UPDATE OF imei ON devices BEGIN
        INSERT INTO devices_search (devices_search, rowid, id, imei) VALUES ('delete', old.rowid, old.id, old.imei);
        INSERT INTO devices_search (rowid, id, imei) VALUES (new.rowid, new.id, new.imei);
      END;
      CREATE TRIGGER devices_search_delete AFTER DELETE ON devices BEGIN
        INSERT INTO devices_search (devices_search, rowid, id, imei) VALUES ('delete', old.rowid, old.id, old.imei);
      END;
      CREATE TABLE refresh_pass (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        pass INTEGER NOT NULL,
        cursor TEXT,
        started_at INTEGER NOT NULL,
        pages INTEGER NOT NULL DEFAULT 0,
        seen INTEGER NOT NULL DEFAULT 0,
        total INTEGER
      );
    `),
  // 8: finished claims and changes leave the outbox after a retention period, keeping what the
  // site report needs (never the token): a year of use reads as fast as a day.
  (db) =>
    db.exec(`
      CREATE TABLE outbox_archive (
        client_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        device_id TEXT NOT NULL,
        state TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        imei TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX outbox_archive_device ON outbox_archive (device_id, finished_at);
      CREATE INDEX outbox_finished ON outbox (state, updated_at);
      CREATE INDEX outbox_tag_changes ON outbox (seq) WHERE kind IN ('tag-create', 'tag-update', 'tag-delete');
    `),
  // 9: what kind of refusal failed an entry, so the screen can say what to do and offer Retry only
  // where retrying can help; and the device list sorted by any column reads one page through an
  // index, not 50,000 rows.
  (db) =>
    db.exec(`
      ALTER TABLE outbox ADD COLUMN failure TEXT;
      CREATE INDEX devices_by_imei ON devices (imei, id);
      CREATE INDEX devices_by_type ON devices (device_type, id);
      CREATE INDEX devices_by_status ON devices (status, id);
    `),
  // 10: the IMEI a claim carries, as a column: the Queue's search reads it instead of parsing the
  // JSON of every entry (counting the matches among 100,000 entries took 33 ms, most of a keystroke).
  (db) =>
    db.exec(`
      ALTER TABLE outbox ADD COLUMN imei TEXT;
      UPDATE outbox SET imei = payload ->> '$.imei' WHERE kind = 'claim';
    `),
];

/** "FCLM": written into the database header, so a Fieldclaim file is recognised as one. */
export const APPLICATION_ID = 0x46434c4d;

export const latestSchemaVersion = migrations.length;

export class NewerDatabaseError extends CodedError {
  constructor(found: number, file: string) {
    super(
      'database-unusable',
      `${file} was written by a newer Fieldclaim (schema ${found}, this version knows ${latestSchemaVersion}): ` +
        'update Fieldclaim to open it. Nothing was changed.',
    );
  }
}

const versionOf = (db: Database.Database) => db.pragma('user_version', { simple: true }) as number;

/**
 * Applies the migrations up to `target` (default: all), each in its own transaction that holds
 * the write lock from the start: another process opening the same file at the same moment waits,
 * then finds the step done. An up-to-date database is only read.
 */
export function migrate(db: Database.Database, target = latestSchemaVersion): void {
  const current = versionOf(db);
  if (current > latestSchemaVersion) throw new NewerDatabaseError(current, db.name);
  for (let version = current + 1; version <= target; version++) {
    const step = migrations[version - 1];
    if (!step) throw new Error(`no migration ${version}`);
    db.transaction(() => {
      if (versionOf(db) >= version) return;
      step(db);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
