import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CodedError } from '../../shared/result';
import { activeLeases, describeLeases } from './holders';
import { APPLICATION_ID, latestSchemaVersion, migrate } from './migrations';

export const databaseFileName = 'fieldclaim.sqlite';

/** How long a write waits for another process's write before it gives up and says who holds it. */
const BUSY_TIMEOUT_MS = 5_000;
const SQLITE_HEADER = 'SQLite format 3\0';

const leaveItAlone = (file: string) =>
  `Nothing was changed. Move ${file} away (or choose another data folder with --data-dir or FIELDCLAIM_DATA_DIR), then start again.`;

function unusable(file: string, what: string): CodedError {
  return new CodedError('database-unusable', `${file} ${what}. ${leaveItAlone(file)}`);
}

/**
 * Checks an existing file before anything writes to it: an unreadable, truncated or foreign file
 * is refused with its path and what to do, and is never changed (no WAL switch, no tables added).
 */
function inspectExisting(file: string): void {
  const size = statSync(file).size;
  if (size === 0) return; // SQLite's own empty database: nothing to lose
  const head = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || head.toString('latin1', 0, 16) !== SQLITE_HEADER)
    throw unusable(file, 'is not a database (it does not start as an SQLite file; it may be damaged)');
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = head.readUInt32BE(28);
  // The header's page count is valid when its "version-valid-for" matches the change counter.
  if (head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > size)
    throw unusable(
      file,
      `is cut short (${size} of ${pages * pageSize} bytes): it was truncated or copied incompletely`,
    );
  let probe: Database.Database;
  try {
    probe = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw unusable(file, `cannot be opened (${(err as Error).message})`);
  }
  try {
    const applicationId = probe.pragma('application_id', { simple: true }) as number;
    const version = probe.pragma('user_version', { simple: true }) as number;
    const tables = probe
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all();
    const ours =
      applicationId === APPLICATION_ID ||
      // Written before the application id was stamped: Fieldclaim's schema versions and its outbox.
      (applicationId === 0 && version >= 1 && version <= latestSchemaVersion && tables.includes('outbox')) ||
      (applicationId === 0 && version === 0 && tables.length === 0) ||
      // Newer than this build: migrate() says so in its own words.
      (applicationId === 0 && version > latestSchemaVersion && tables.includes('outbox'));
    if (!ours)
      throw unusable(
        file,
        `belongs to another application (${tables.length ? `tables: ${tables.slice(0, 5).join(', ')}` : `application id ${applicationId}`}), not Fieldclaim`,
      );
  } catch (err) {
    if (err instanceof CodedError) throw err;
    throw unusable(file, `cannot be read (${(err as Error).message})`);
  } finally {
    probe.close();
  }
}

/**
 * Opens (creating if needed) the app's database in `dataDir`. WAL with synchronous=FULL: a change
 * reported saved survives a power cut, and readers never block the writer.
 */
export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Made private when opened, not only when created: a folder from an older build kept 0755.
  // (A folder someone else owns, handed over with --data-dir, stays as its owner set it.)
  if (process.platform !== 'win32' && statSync(dataDir).uid === process.getuid?.()) chmodSync(dataDir, 0o700);
  const file = join(dataDir, databaseFileName);
  if (existsSync(file)) inspectExisting(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw unusable(file, `cannot be opened (${(err as Error).message})`);
  }
  try {
    if (process.platform !== 'win32') chmodSync(file, 0o600);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Only a new database takes it (before WAL and the first table). 16 KiB pages make the
    // 100,000-row import's inserts a fifth faster than the default 4 KiB.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // 32 MiB of page cache: imports of 100,000 rows stay in memory instead of re-reading pages.
    db.pragma('cache_size = -4096');
    // Imports are staged in a temp table: on disk past 16 MiB, so a 500,000-row file does not grow memory.
    db.pragma('temp_store = FILE');
    db.pragma('temp.cache_size = -2048');
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof CodedError) throw err;
    if (
      (err as { code?: string }).code?.startsWith('SQLITE_CORRUPT') ||
      /malformed|not a database/i.test(String(err))
    )
      throw unusable(file, `is damaged (${(err as Error).message})`);
    throw err;
  }
  return db;
}

const isBusy = (err: unknown) => /^SQLITE_BUSY/.test((err as { code?: string }).code ?? '');

/**
 * Runs database work as one transaction that takes the write lock up front (BEGIN IMMEDIATE): a
 * transaction that reads first and writes later fails at once, without waiting, when another
 * process wrote in between. A lock not freed in time is reported with who holds it. Nested calls
 * join the outer transaction.
 */
export function write<T>(db: Database.Database, work: () => T): T {
  // Joined as it is, without a savepoint of its own: an error undoes the whole outer transaction
  // (nothing here catches one half way), and a savepoint per row tripled the cost of writing a
  // bulk claim's answer.
  if (db.inTransaction) return work();
  try {
    return db.transaction(work).immediate();
  } catch (err) {
    if (!isBusy(err)) throw err;
    let holders = 'another program';
    try {
      holders = describeLeases(activeLeases(db)) ?? holders;
    } catch {
      // the leases table may not exist yet (a database being created by someone else)
    }
    throw new CodedError(
      'database-busy',
      `The database ${db.name} is busy: ${holders} has been writing to it for more than ${BUSY_TIMEOUT_MS / 1000} s. Try again when it has finished.`,
    );
  }
}

/**
 * A value that changes whenever the database does, by this connection or another process: what
 * was read from it may be kept until then.
 */
export function dataVersion(db: Database.Database): string {
  const other = db.pragma('data_version', { simple: true }) as number;
  const own = db.prepare<[], number>('SELECT total_changes()').pluck().get();
  return `${other}:${own}`;
}
