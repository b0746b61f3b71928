import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { databaseFileName, openDatabase } from '../../electron/adapters/db/database';
import { APPLICATION_ID, migrate } from '../../electron/adapters/db/migrations';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

let dir: ReturnType<typeof tempDir>;
let dataDir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  dataDir = join(dir.path, 'data');
  mkdirSync(dataDir);
  file = join(dataDir, databaseFileName);
});
afterEach(() => dir.remove());

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function tokensFile(): string {
  const path = join(dir.path, 'tokens.csv');
  writeFileSync(path, `${toBulkCsv([{ token: makeToken().token, tags: [] }])}\n`);
  return path;
}

/** A Fieldclaim database with enough rows to span many pages, checkpointed into the main file. */
function realDatabase(): void {
  queueClaims(
    dataDir,
    Array.from({ length: 2_000 }, () => makeToken()),
  );
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

const cases: Array<[string, () => void, RegExp]> = [
  ['random bytes', () => writeFileSync(file, randomBytes(8192)), /is not a database/],
  [
    'a truncated copy',
    () => {
      realDatabase();
      truncateSync(file, Math.floor(statSync(file).size / 2));
    },
    /is cut short/,
  ],
  [
    "another application's SQLite file",
    () => {
      const db = new Database(file);
      db.exec(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine')",
      );
      db.close();
    },
    /belongs to another application \(tables: notes\)/,
  ],
  [
    'an SQLite file stamped by another application',
    () => {
      const db = new Database(file);
      db.pragma('application_id = 1234');
      db.close();
    },
    /belongs to another application \(application id 1234\)/,
  ],
  [
    'a database from a newer Fieldclaim',
    () => {
      realDatabase();
      const db = new Database(file);
      db.pragma('user_version = 99');
      db.close();
    },
    /newer Fieldclaim \(schema 99/,
  ],
];

describe('the database file is checked before use', () => {
  it.each(cases)(
    '%s is refused with its path and what to do; the file is unchanged',
    async (_name, make, says) => {
      make();
      const before = digest(file);
      const tokens = tokensFile();
      for (const args of [['import', tokens], ['queue'], ['sync']]) {
        const run = await runCli(['--data-dir', dataDir, ...args, '--json'], {
          env: { FIELDCLAIM_API_KEY: 'k', FIELDCLAIM_API_URL: 'http://127.0.0.1:9/v1/' },
        });
        expect(run.code).toBe(1);
        expect(run.json).toEqual({
          error: { code: 'database-unusable', message: expect.stringMatching(says) },
        });
        const message = (run.json as { error: { message: string } }).error.message;
        expect(message).toContain(file);
        expect(message).toMatch(/Nothing was changed|update Fieldclaim/);
      }
      expect(digest(file)).toBe(before);
    },
  );

  it("recognises the app's own file from before the application id, and stamps it", () => {
    const db = new Database(file);
    migrate(db, 5);
    db.prepare(
      `INSERT INTO outbox (client_id, kind, device_id, payload, state, created_at, updated_at)
       VALUES ('c1', 'claim', 'd1', '{"token":"t","tags":[],"imei":null}', 'pending', 'x', 'x')`,
    ).run();
    expect(db.pragma('application_id', { simple: true })).toBe(0);
    db.close();
    const opened = openDatabase(dataDir);
    try {
      expect(opened.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(opened.prepare('SELECT client_id FROM outbox').pluck().all()).toEqual(['c1']);
    } finally {
      opened.close();
    }
  });

  it('makes an existing data folder private when it opens it', () => {
    const db = openDatabase(dataDir);
    db.close();
    // A folder left 0755 by an older build, or by hand.
    chmodSync(dataDir, 0o755);
    openDatabase(dataDir).close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
