import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EntryKind, EntryState, OutboxCounts, OutboxEntry } from '../../shared/types';

interface OutboxRow {
  seq: number;
  client_id: string;
  kind: EntryKind;
  device_id: string;
  payload: string;
  state: EntryState;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClaimPayload {
  token: string;
  tags: string[];
  imei: string | null;
}

export interface ClaimEntry extends OutboxEntry {
  payload: ClaimPayload;
}

/** What enqueueing a claim did: queued anew, refreshed an unsent one, or found it already handled. */
export type EnqueueOutcome = 'queued' | 'refreshed' | 'in-flight' | 'already-claimed';

function toEntry(row: OutboxRow): ClaimEntry {
  const payload = JSON.parse(row.payload) as ClaimPayload;
  return {
    id: row.client_id,
    seq: row.seq,
    kind: row.kind,
    deviceId: row.device_id,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    tags: payload.tags ?? [],
    imei: payload.imei ?? null,
    payload,
  };
}

const now = () => new Date().toISOString();

/** The only code that reads or writes the outbox table. */
export class OutboxRepository {
  constructor(private readonly db: Database.Database) {}

  /**
   * Queues a claim, de-duplicated by device UUID: while the claim is unsent the newest token wins
   * (a fresh read replaces the old token, keeping the entry's place in line).
   */
  enqueueClaim(deviceId: string, payload: ClaimPayload): { outcome: EnqueueOutcome; entry: ClaimEntry } {
    return this.db.transaction(() => {
      const existing = this.db
        .prepare<[string], OutboxRow>(
          `SELECT * FROM outbox WHERE kind = 'claim' AND device_id = ? ORDER BY seq DESC LIMIT 1`,
        )
        .get(deviceId);
      const stamp = now();
      if (existing && (existing.state === 'pending' || existing.state === 'failed')) {
        const previous = JSON.parse(existing.payload) as ClaimPayload;
        const merged: ClaimPayload = {
          token: payload.token,
          tags: [...new Set([...previous.tags, ...payload.tags])],
          imei: payload.imei ?? previous.imei,
        };
        this.db
          .prepare(
            `UPDATE outbox SET payload = ?, state = 'pending', last_error = NULL, attempts = 0, updated_at = ? WHERE seq = ?`,
          )
          .run(JSON.stringify(merged), stamp, existing.seq);
        return { outcome: 'refreshed' as const, entry: this.bySeq(existing.seq) };
      }
      if (existing?.state === 'sending') return { outcome: 'in-flight' as const, entry: toEntry(existing) };
      if (existing?.state === 'done')
        return { outcome: 'already-claimed' as const, entry: toEntry(existing) };
      const info = this.db
        .prepare(
          `INSERT INTO outbox (client_id, kind, device_id, payload, state, created_at, updated_at)
           VALUES (?, 'claim', ?, ?, 'pending', ?, ?)`,
        )
        .run(randomUUID(), deviceId, JSON.stringify(payload), stamp, stamp);
      return { outcome: 'queued' as const, entry: this.bySeq(Number(info.lastInsertRowid)) };
    })();
  }

  private bySeq(seq: number): ClaimEntry {
    const row = this.db.prepare<[number], OutboxRow>('SELECT * FROM outbox WHERE seq = ?').get(seq);
    if (!row) throw new Error(`outbox entry ${seq} vanished`);
    return toEntry(row);
  }

  get(id: string): ClaimEntry | null {
    const row = this.db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE client_id = ?').get(id);
    return row ? toEntry(row) : null;
  }

  list(state: EntryState | 'all' = 'all'): ClaimEntry[] {
    const rows =
      state === 'all'
        ? this.db.prepare<[], OutboxRow>('SELECT * FROM outbox ORDER BY seq').all()
        : this.db
            .prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE state = ? ORDER BY seq')
            .all(state);
    return rows.map(toEntry);
  }

  /** Pending claims in the order they were made. */
  pendingClaims(): ClaimEntry[] {
    return this.db
      .prepare<[], OutboxRow>(`SELECT * FROM outbox WHERE kind = 'claim' AND state = 'pending' ORDER BY seq`)
      .all()
      .map(toEntry);
  }

  pendingKindsByDevice(): Map<string, EntryKind[]> {
    const rows = this.db
      .prepare<[], { device_id: string; kind: EntryKind }>(
        `SELECT device_id, kind FROM outbox WHERE state IN ('pending', 'sending', 'failed') ORDER BY seq`,
      )
      .all();
    const byDevice = new Map<string, EntryKind[]>();
    for (const { device_id, kind } of rows)
      byDevice.set(device_id, [...(byDevice.get(device_id) ?? []), kind]);
    return byDevice;
  }

  counts(): OutboxCounts {
    const counts: OutboxCounts = { pending: 0, sending: 0, failed: 0, done: 0 };
    const rows = this.db
      .prepare<[], { state: EntryState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')
      .all();
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  /** Committed before the request goes out, so a crash mid-request leaves a trace to settle. */
  markSending(id: string): void {
    this.db
      .prepare(
        `UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE client_id = ?`,
      )
      .run(now(), id);
  }

  markDone(id: string): void {
    this.setState(id, 'done', null);
  }

  markFailed(id: string, error: string): void {
    this.setState(id, 'failed', error);
  }

  /** Back in line, keeping why the last attempt did not get through. */
  markPending(id: string, error: string | null): void {
    this.setState(id, 'pending', error);
  }

  private setState(id: string, state: EntryState, error: string | null): void {
    this.db
      .prepare('UPDATE outbox SET state = ?, last_error = ?, updated_at = ? WHERE client_id = ?')
      .run(state, error, now(), id);
  }

  /** Failed entries go back in line; returns how many. */
  retry(id: string | 'all-failed'): number {
    const stamp = now();
    const result =
      id === 'all-failed'
        ? this.db
            .prepare(`UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'failed'`)
            .run(stamp)
        : this.db
            .prepare(
              `UPDATE outbox SET state = 'pending', updated_at = ? WHERE client_id = ? AND state = 'failed'`,
            )
            .run(stamp, id);
    return result.changes;
  }

  /** Only an entry that has not been sent (pending or failed) can be dropped. */
  discard(id: string): number {
    return this.db
      .prepare(`DELETE FROM outbox WHERE client_id = ? AND state IN ('pending', 'failed')`)
      .run(id).changes;
  }
}
