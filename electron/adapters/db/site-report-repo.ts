import type Database from 'better-sqlite3';

/** One device dealt with at this station: its newest read and its newest claim (queued or archived). */
export interface SiteReportRow {
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
}

/** The site report's query: reads, the outbox, its archive and the local copy, one row a device. */
export class SiteReportRepository {
  constructor(private readonly db: Database.Database) {}

  *rows(): Generator<SiteReportRow> {
    yield* this.db
      .prepare<[], SiteReportRow>(
        `WITH latest_read AS (
           SELECT * FROM device_reads r WHERE r.seq = (SELECT MAX(seq) FROM device_reads WHERE device_id = r.device_id)),
         claims AS (
           SELECT device_id, state, json_extract(payload, '$.tags') AS tags, imei,
             created_at, updated_at AS at FROM outbox WHERE kind = 'claim'
           UNION ALL
           SELECT device_id, state, tags, imei, created_at, finished_at AS at FROM outbox_archive WHERE kind = 'claim'),
         latest_claim AS (
           SELECT * FROM claims c WHERE c.at = (SELECT MAX(at) FROM claims WHERE device_id = c.device_id)
           GROUP BY device_id),
         ids AS (SELECT device_id AS id FROM latest_claim UNION SELECT device_id FROM latest_read UNION SELECT id FROM devices)
         SELECT ids.id, COALESCE(d.imei, r.imei, c.imei) AS imei,
           d.device_type AS serviceType, r.device_type AS readType, r.model, r.firmware,
           d.tags AS tags, c.tags AS claimTags,
           CASE WHEN d.id IS NOT NULL THEN 'claimed' ELSE c.state END AS claimState,
           d.claimed_at AS claimedAt, r.read_at AS readAt, r.port, r.site
         FROM ids LEFT JOIN devices d ON d.id = ids.id LEFT JOIN latest_read r ON r.device_id = ids.id
           LEFT JOIN latest_claim c ON c.device_id = ids.id
         ORDER BY COALESCE(r.read_at, d.claimed_at, c.created_at), ids.id`,
      )
      .iterate();
  }
}
