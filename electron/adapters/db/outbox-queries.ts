import type Database from 'better-sqlite3';
import { likePattern } from './sql-text';
import type { StoredEntry } from '../../core/outbox-entry';
import type { EntryKind, EntryState, OutboxCounts } from '../../shared/types';
import { toEntry, type OutboxRow } from './outbox-repo';

/** Which entries, for the Queue screen and the CLI: filters answered in SQL. */
export interface EntryQuery {
  /** One state, 'all', or 'open' (everything not done: what waits, is being sent, or failed). */
  state?: EntryState | 'all' | 'open';
  /** Part of a device UUID, an IMEI or a tag. */
  search?: string;
}

function clauses(query: EntryQuery): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.state === 'open') where.push(`state IN ('pending', 'sending', 'failed')`);
  else if (query.state && query.state !== 'all') {
    where.push('state = ?');
    params.push(query.state);
  }
  const search = query.search?.trim().toLowerCase();
  if (search) {
    // A LIKE over the whole payload (which holds the IMEI and the tags) is a quick sieve; the
    // token's base64 could pass it by chance, so what passes is checked field by field: the IMEI
    // from its column, the tags from the JSON (parsed only for rows that passed).
    const pattern = likePattern(search);
    // A quote or backslash is escaped in the JSON text: such a search skips the sieve.
    const sieve = /["\\]/.test(search) ? `? IS NOT NULL` : `payload LIKE ? ESCAPE '\\'`;
    where.push(
      `(device_id LIKE ? ESCAPE '\\' OR (${sieve} AND (imei LIKE ? ESCAPE '\\'
         OR EXISTS (SELECT 1 FROM json_each(payload, '$.tags') WHERE lower(value) LIKE ? ESCAPE '\\'))))`,
    );
    params.push(pattern, pattern, pattern, pattern);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Reading the outbox as people look at it: pages, counts, one device's changes. */
export class OutboxQueries {
  constructor(private readonly db: Database.Database) {}

  get(id: string): StoredEntry | null {
    const row = this.db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE client_id = ?').get(id);
    return row ? toEntry(row) : null;
  }

  /** One window of the matching entries, oldest first (the order they go out in). */
  page(query: EntryQuery, offset: number, limit: number): StoredEntry[] {
    return [...this.iterate(query, offset, limit)];
  }

  countMatching(query: EntryQuery): number {
    const { where, params } = clauses(query);
    return (
      this.db
        .prepare<unknown[], number>(`SELECT COUNT(*) FROM outbox ${where}`)
        .pluck()
        .get(...params) ?? 0
    );
  }

  /**
   * The matching entries from `offset` on, at most `limit` of them (-1: all), one at a time
   * (streamed out without holding the list); a block or a tag change shows its device's IMEI too.
   */
  *iterate(query: EntryQuery = {}, offset = 0, limit = -1): Generator<StoredEntry> {
    const { where, params } = clauses(query);
    for (const row of this.db
      .prepare<unknown[], OutboxRow>(
        `SELECT o.*, (SELECT d.imei FROM devices d WHERE d.id = o.device_id) AS device_imei
         FROM outbox o ${where} ORDER BY o.seq LIMIT ? OFFSET ?`,
      )
      .iterate(...params, limit, offset))
      yield toEntry(row);
  }

  /** Pending claims, for the bulk export. */
  *pendingClaims(): Generator<StoredEntry> {
    for (const row of this.db
      .prepare<[], OutboxRow>(`SELECT * FROM outbox WHERE state = 'pending' AND kind = 'claim' ORDER BY seq`)
      .iterate())
      yield toEntry(row);
  }

  counts(): OutboxCounts {
    const counts: OutboxCounts = { pending: 0, sending: 0, failed: 0, done: 0 };
    const rows = this.db
      .prepare<[], { state: EntryState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')
      .all();
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  /** Entries the service confirmed since a moment (ISO time): "sent today" (the outbox_finished index). */
  doneSince(since: string): number {
    return (
      this.db
        .prepare<[string], number>(`SELECT COUNT(*) FROM outbox WHERE state = 'done' AND updated_at >= ?`)
        .pluck()
        .get(since) ?? 0
    );
  }

  /** Entries finished since a moment (ISO time) that failed: for the sync's log. */
  failedSince(since: string, limit: number): StoredEntry[] {
    return this.db
      .prepare<[string, number], OutboxRow>(
        `SELECT * FROM outbox WHERE state = 'failed' AND updated_at >= ? ORDER BY seq DESC LIMIT ?`,
      )
      .all(since, limit)
      .reverse()
      .map(toEntry);
  }

  /**
   * Changes not yet confirmed by the service for these devices (or one): their kinds in order, and
   * the newest tag list. Asked for the devices on screen, never the whole fleet.
   */
  pendingChangesByDevice(
    deviceIds: string[],
  ): Map<string, { kinds: EntryKind[]; tags: string[] | null; tagsSeq: number | null }> {
    const rows = this.db
      .prepare<[string], { device_id: string; kind: EntryKind; payload: string; seq: number }>(
        // Driven from the ids (CROSS JOIN keeps that order) through the device index: the state
        // index would walk every waiting entry, 50,000 of them after a large import. Failed
        // changes are not among them: they will not happen (the Queue shows them).
        `SELECT o.device_id, o.kind, o.payload, o.seq FROM json_each(?) j CROSS JOIN outbox o ON o.device_id = j.value
         WHERE o.state IN ('pending', 'sending') ORDER BY o.seq`,
      )
      .all(JSON.stringify(deviceIds));
    const byDevice = new Map<string, { kinds: EntryKind[]; tags: string[] | null; tagsSeq: number | null }>();
    for (const { device_id, kind, payload, seq } of rows) {
      const entry = byDevice.get(device_id) ?? { kinds: [], tags: null, tagsSeq: null };
      entry.kinds.push(kind);
      if (kind === 'set-tags') {
        entry.tags = (JSON.parse(payload) as { tags: string[] }).tags;
        entry.tagsSeq = seq;
      }
      byDevice.set(device_id, entry);
    }
    return byDevice;
  }

  /** One device's changes the service has not confirmed, oldest first. */
  unsettledFor(deviceId: string): StoredEntry[] {
    return this.db
      .prepare<[string], OutboxRow>(
        `SELECT * FROM outbox WHERE device_id = ? AND state <> 'done' ORDER BY seq`,
      )
      .all(deviceId)
      .map(toEntry);
  }
}
