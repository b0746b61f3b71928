import type Database from 'better-sqlite3';
import { write } from './database';
import type { ServiceDevice } from '../../core/service-model';
import type { DeviceFields, DeviceReadView } from '../../shared/types';

export type { ServiceDevice } from '../../core/service-model';

/** A board read at this station, with the site tags active at the time. */
export interface DeviceRead extends DeviceReadView {
  site?: string;
}

interface DeviceRow {
  id: string;
  device_type: string | null;
  imei: string | null;
  tags: string;
  status: string | null;
  claimed_at: string | null;
}

const toFields = (r: DeviceRow): DeviceFields => ({
  id: r.id,
  deviceType: r.device_type,
  imei: r.imei,
  tags: JSON.parse(r.tags) as string[],
  status: r.status,
  claimedAt: r.claimed_at,
});

/** The local copy of claimed devices and the record of boards read. */
export class DevicesRepository {
  private readonly upsertDevice: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.upsertDevice = db.prepare(
      `INSERT INTO devices (id, device_type, imei, tags, status, claimed_at, raw, pulled_at)
       VALUES (@id, @deviceType, @imei, @tags, @status, @claimedAt, @raw, @pulledAt)
       ON CONFLICT (id) DO UPDATE SET device_type = excluded.device_type, imei = COALESCE(excluded.imei, devices.imei),
         tags = excluded.tags, status = excluded.status, claimed_at = excluded.claimed_at, raw = excluded.raw,
         pulled_at = excluded.pulled_at`,
    );
  }

  /** One device: a single statement, so it joins the caller's transaction without a savepoint. */
  upsert(device: ServiceDevice, pulledAt = new Date().toISOString()): void {
    write(this.db, () => this.upsertRow(device, pulledAt));
  }

  private upsertRow(device: ServiceDevice, pulledAt: string): void {
    this.upsertDevice.run({
      ...device,
      tags: JSON.stringify(device.tags),
      raw: JSON.stringify(device.raw),
      pulledAt,
    });
  }

  upsertMany(devices: ServiceDevice[]): void {
    const pulledAt = new Date().toISOString();
    write(this.db, () => devices.forEach((d) => this.upsertRow(d, pulledAt)));
  }

  /** Replaces the local copy with a complete pull, in one transaction. */
  replaceAll(devices: ServiceDevice[]): void {
    write(this.db, () => {
      this.db.prepare('DELETE FROM devices').run();
      this.upsertMany(devices);
    });
  }

  get(id: string): DeviceFields | null {
    const row = this.db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?').get(id);
    return row ? toFields(row) : null;
  }

  list(filter: { search?: string } = {}): DeviceFields[] {
    const search = filter.search?.trim().toLowerCase();
    const rows = search
      ? this.db
          .prepare<[string, string], DeviceRow>(
            `SELECT * FROM devices WHERE id LIKE ? OR imei LIKE ? ORDER BY claimed_at DESC, id`,
          )
          .all(`%${search}%`, `%${search}%`)
      : this.db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY claimed_at DESC, id').all();
    return rows.map(toFields);
  }

  /** A tag renamed here applies to every device carrying it, as the service will do. */
  renameTag(from: string, to: string): void {
    write(this.db, () =>
      this.db
        .prepare(
          `UPDATE devices SET tags = (SELECT json_group_array(CASE WHEN value = @from THEN @to ELSE value END) FROM json_each(devices.tags))
         WHERE EXISTS (SELECT 1 FROM json_each(devices.tags) WHERE value = @from)`,
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
         WHERE EXISTS (SELECT 1 FROM json_each(devices.tags) WHERE value = @name)`,
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
    return (this.db.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n;
  }

  lastPulledAt(): string | null {
    return (this.db.prepare('SELECT MAX(pulled_at) AS t FROM devices').get() as { t: string | null }).t;
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

  /**
   * One row per device the station has dealt with: read here, queued or claimed. The newest read
   * and the newest claim entry of each device.
   */
  siteReport(): Array<{
    id: string;
    imei: string | null;
    serviceType: string | null;
    readType: number | null;
    model: string | null;
    firmware: string | null;
    tags: string | null;
    claimTags: string | null;
    claimState: string | null;
    claimedAt: string | null;
    readAt: string | null;
    port: string | null;
    site: string | null;
  }> {
    return this.db
      .prepare(
        `WITH latest_read AS (
           SELECT * FROM device_reads r WHERE r.seq = (SELECT MAX(seq) FROM device_reads WHERE device_id = r.device_id)),
         latest_claim AS (
           SELECT * FROM outbox o WHERE o.kind = 'claim'
             AND o.seq = (SELECT MAX(seq) FROM outbox WHERE device_id = o.device_id AND kind = 'claim')),
         ids AS (SELECT device_id AS id FROM latest_claim UNION SELECT device_id FROM latest_read UNION SELECT id FROM devices)
         SELECT ids.id, COALESCE(d.imei, r.imei, json_extract(c.payload, '$.imei')) AS imei,
           d.device_type AS serviceType, r.device_type AS readType, r.model, r.firmware,
           d.tags AS tags, json_extract(c.payload, '$.tags') AS claimTags,
           CASE WHEN d.id IS NOT NULL THEN 'claimed' ELSE c.state END AS claimState,
           d.claimed_at AS claimedAt, r.read_at AS readAt, r.port, r.site
         FROM ids LEFT JOIN devices d ON d.id = ids.id LEFT JOIN latest_read r ON r.device_id = ids.id
           LEFT JOIN latest_claim c ON c.device_id = ids.id
         ORDER BY COALESCE(r.read_at, d.claimed_at, c.created_at), ids.id`,
      )
      .all() as ReturnType<DevicesRepository['siteReport']>;
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
