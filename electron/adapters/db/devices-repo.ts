import type Database from 'better-sqlite3';
import type { ServiceDevice } from '../../core/service-model';
import type { DeviceFields, DeviceReadView, DeviceSort } from '../../shared/types';
import { dataVersion, write } from './database';
import { ftsPhrase, likePattern } from './sql-text';

export type { ServiceDevice } from '../../core/service-model';

/** A board read at this station, with the site tags active at the time. */
export interface DeviceRead extends DeviceReadView {
  site?: string;
}

/** Which devices, in which order: every filter is answered in SQL, never by loading the list. */
export interface DeviceQuery {
  /** Part of a device UUID or IMEI. */
  search?: string;
  tag?: string;
  /** The status exactly (READY, BLOCKED...), any case. */
  status?: string;
  /** true: only blocked devices; false: only the others. */
  blocked?: boolean;
  type?: string;
  /** Only these devices (a selection shown in a confirmation). */
  ids?: string[];
  /** The column the list is ordered by (claim time when unset), then the UUID. */
  sort?: DeviceSort;
  /** Largest first: the newest claims, by default. */
  descending?: boolean;
}

/** Each sort's column; each has an index ending in the UUID, so a page of a sorted list reads only that page. */
const sortColumns: Record<DeviceSort, string> = {
  claimed: 'd.claimed_at',
  id: 'd.id',
  imei: 'd.imei',
  type: 'd.device_type',
  status: 'd.status',
};

interface DeviceRow {
  id: string;
  device_type: string | null;
  imei: string | null;
  tags: string;
  status: string | null;
  claimed_at: string | null;
}

const columns = 'd.id, d.device_type, d.imei, d.tags, d.status, d.claimed_at';

const toFields = (r: DeviceRow): DeviceFields => ({
  id: r.id,
  deviceType: r.device_type,
  imei: r.imei,
  tags: JSON.parse(r.tags) as string[],
  status: r.status,
  claimedAt: r.claimed_at,
});

/** The WHERE and ORDER BY of a query, with its parameters. */
function clauses(query: DeviceQuery): { where: string; order: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const search = query.search?.trim().toLowerCase();
  if (search) {
    // The trigram index answers substrings of three characters or more; shorter ones scan. The
    // `+` keeps SQLite walking the list in its order and stopping at a page, rather than sorting
    // every match first (the first digits of an IMEI match all 100,000 devices).
    if (search.length >= 3) {
      where.push('+d.rowid IN (SELECT rowid FROM devices_search WHERE devices_search MATCH ?)');
      params.push(ftsPhrase(search));
    } else {
      where.push(`(d.id LIKE ? ESCAPE '\\' OR d.imei LIKE ? ESCAPE '\\')`);
      params.push(likePattern(search), likePattern(search));
    }
  }
  if (query.tag) {
    where.push('d.id IN (SELECT device_id FROM device_tags WHERE tag = ?)');
    params.push(query.tag);
  }
  if (query.status) {
    where.push('upper(d.status) = upper(?)');
    params.push(query.status);
  }
  if (query.blocked !== undefined)
    where.push(`coalesce(upper(d.status), '') ${query.blocked ? '=' : '<>'} 'BLOCKED'`);
  if (query.type) {
    where.push('d.device_type = ?');
    params.push(query.type);
  }
  if (query.ids) {
    where.push('d.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.ids));
  }
  const direction = query.descending === false ? 'ASC' : 'DESC';
  const column = sortColumns[query.sort ?? 'claimed'];
  return {
    where: where.length ? `WHERE ${where.join(' AND ')}` : '',
    order:
      column === 'd.id' ? `ORDER BY d.id ${direction}` : `ORDER BY ${column} ${direction}, d.id ${direction}`,
    params,
  };
}

/** The local copy of claimed devices and the record of boards read. */
export class DevicesRepository {
  private readonly upsertDevice: Database.Statement;
  // A scan each: asked with every first window of the list, as a search is typed.
  private filtersRead: { version: string; value: { types: string[]; tags: string[] } } | null = null;
  // Prepared once: a bulk action looks up every selected device.
  private readonly deviceById: Database.Statement<[string], DeviceRow>;

  constructor(private readonly db: Database.Database) {
    this.deviceById = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.upsertDevice = db.prepare(
      `INSERT INTO devices (id, device_type, imei, tags, status, claimed_at, raw, pulled_at, seen_pass, touched_at)
       VALUES (@id, @deviceType, @imei, @tags, @status, @claimedAt, @raw, @pulledAt, @pass, @touchedAt)
       ON CONFLICT (id) DO UPDATE SET device_type = excluded.device_type, imei = COALESCE(excluded.imei, devices.imei),
         tags = excluded.tags, status = excluded.status, claimed_at = excluded.claimed_at, raw = excluded.raw,
         pulled_at = excluded.pulled_at, seen_pass = COALESCE(excluded.seen_pass, devices.seen_pass),
         touched_at = excluded.touched_at`,
    );
  }

  /** One device as the service answered it (a sync's answer, or a page of a refresh pass). */
  upsert(device: ServiceDevice, pass: number | null = null): void {
    write(this.db, () => this.upsertRow(device, pass, Date.now()));
  }

  private upsertRow(device: ServiceDevice, pass: number | null, touchedAt: number): void {
    this.upsertDevice.run({
      ...device,
      tags: JSON.stringify(device.tags),
      raw: JSON.stringify(device.raw),
      pulledAt: new Date(touchedAt).toISOString(),
      pass,
      touchedAt,
    });
  }

  /** A page of a refresh pass, marked as seen by it; the caller's transaction also moves the cursor. */
  upsertPage(devices: ServiceDevice[], pass: number): void {
    const now = Date.now();
    write(this.db, () => devices.forEach((d) => this.upsertRow(d, pass, now)));
  }

  /**
   * After a complete pass: devices it did not see are gone from the service (unclaimed elsewhere),
   * unless this app wrote them after the pass began (a claim answered meanwhile).
   */
  removeUnseen(pass: number, passStartedAt: number): number {
    return write(
      this.db,
      () =>
        this.db
          .prepare('DELETE FROM devices WHERE (seen_pass IS NULL OR seen_pass <> ?) AND touched_at < ?')
          .run(pass, passStartedAt).changes,
    );
  }

  /** What a change's answer says of a device without sending the device back (a 204). */
  setStatus(id: string, status: string): void {
    write(this.db, () =>
      this.db
        .prepare('UPDATE devices SET status = ?, touched_at = ? WHERE id = ?')
        .run(status, Date.now(), id),
    );
  }

  setTags(id: string, tags: string[]): void {
    write(this.db, () =>
      this.db
        .prepare('UPDATE devices SET tags = ?, touched_at = ? WHERE id = ?')
        .run(JSON.stringify(tags), Date.now(), id),
    );
  }

  remove(id: string): void {
    write(this.db, () => this.db.prepare('DELETE FROM devices WHERE id = ?').run(id));
  }

  get(id: string): DeviceFields | null {
    const row = this.deviceById.get(id);
    return row ? toFields(row) : null;
  }

  /** One window of the matching devices, in order. */
  page(query: DeviceQuery, offset: number, limit: number): DeviceFields[] {
    return [...this.iterate(query, offset, limit)];
  }

  countMatching(query: DeviceQuery): number {
    const search = query.search?.trim().toLowerCase() ?? '';
    const onlySearch = Object.entries(query).every(
      ([k, v]) => v === undefined || ['search', 'sort', 'descending'].includes(k),
    );
    // A search alone is counted in the trigram index, without touching the devices.
    if (onlySearch && search.length >= 3)
      return (
        this.db
          .prepare<[string], number>('SELECT COUNT(*) FROM devices_search WHERE devices_search MATCH ?')
          .pluck()
          .get(ftsPhrase(search)) ?? 0
      );
    const { where, params } = clauses(query);
    return (
      this.db
        .prepare<unknown[], number>(`SELECT COUNT(*) FROM devices d ${where}`)
        .pluck()
        .get(...params) ?? 0
    );
  }

  /** Every matching device, one at a time (a whole list streamed out without holding it). */
  /** The matching devices from `offset` on, at most `limit` of them (-1: all), one at a time. */
  *iterate(query: DeviceQuery = {}, offset = 0, limit = -1): Generator<DeviceFields> {
    const { where, order, params } = clauses(query);
    for (const row of this.db
      .prepare<unknown[], DeviceRow>(`SELECT ${columns} FROM devices d ${where} ${order} LIMIT ? OFFSET ?`)
      .iterate(...params, limit, offset))
      yield toFields(row);
  }

  /** The UUIDs of every matching device ("select all matching"). */
  ids(query: DeviceQuery): string[] {
    const { where, order, params } = clauses(query);
    return this.db
      .prepare<unknown[], string>(`SELECT d.id FROM devices d ${where} ${order}`)
      .pluck()
      .all(...params);
  }

  /** The device types present, for the type filter. */
  /** What the devices' filters offer (the types and tags present), kept until the database changes. */
  filters(): { types: string[]; tags: string[] } {
    const version = dataVersion(this.db);
    if (this.filtersRead?.version !== version)
      this.filtersRead = {
        version,
        value: { types: this.types(), tags: [...this.tagCounts().keys()].sort() },
      };
    return this.filtersRead.value;
  }

  types(): string[] {
    return this.db
      .prepare<[], string>(
        'SELECT DISTINCT device_type FROM devices WHERE device_type IS NOT NULL ORDER BY 1',
      )
      .pluck()
      .all();
  }

  /** How many local devices carry each tag. */
  tagCounts(): Map<string, number> {
    const rows = this.db
      .prepare<[], { tag: string; n: number }>('SELECT tag, COUNT(*) AS n FROM device_tags GROUP BY tag')
      .all();
    return new Map(rows.map((r) => [r.tag, r.n]));
  }

  /** A tag renamed here applies to every device carrying it, as the service will do. */
  renameTag(from: string, to: string): void {
    write(this.db, () =>
      this.db
        .prepare(
          `UPDATE devices SET tags = (SELECT json_group_array(CASE WHEN value = @from THEN @to ELSE value END) FROM json_each(devices.tags))
           WHERE id IN (SELECT device_id FROM device_tags WHERE tag = @from)`,
        )
        .run({ from, to }),
    );
  }

  /** A tag deleted here is removed from every device, as the service will do. */
  removeTag(name: string): number {
    return write(
      this.db,
      () =>
        this.db
          .prepare(
            `UPDATE devices SET tags = (SELECT json_group_array(value) FROM json_each(devices.tags) WHERE value <> @name)
             WHERE id IN (SELECT device_id FROM device_tags WHERE tag = @name)`,
          )
          .run({ name }).changes,
    );
  }

  /** The device object exactly as the service last sent it. */
  raw(id: string): unknown {
    const row = this.db.prepare<[string], { raw: string }>('SELECT raw FROM devices WHERE id = ?').get(id);
    return row ? (JSON.parse(row.raw) as unknown) : null;
  }

  count(): number {
    return this.db.prepare<[], number>('SELECT COUNT(*) FROM devices').pluck().get() ?? 0;
  }

  recordRead(read: DeviceRead): void {
    write(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO device_reads (device_id, device_type, imei, model, firmware, port, read_at, site)
           VALUES (@deviceId, @deviceType, @imei, @model, @firmware, @port, @readAt, @site)`,
        )
        .run({ site: '', ...read }),
    );
  }

  reads(deviceId: string): DeviceRead[] {
    return this.db
      .prepare<[string], DeviceRead>(
        `SELECT device_id AS deviceId, device_type AS deviceType, imei, model, firmware, port, read_at AS readAt
         FROM device_reads WHERE device_id = ? ORDER BY seq`,
      )
      .all(deviceId);
  }
}
