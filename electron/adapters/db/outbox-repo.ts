import { newClientId } from './client-id';
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
  next_attempt_at: number | null;
  uncertain: number;
  created_at: string;
  updated_at: string;
}

export interface ClaimPayload {
  token: string;
  tags: string[];
  imei: string | null;
}

/** What each kind of change carries; `key` (device_id column) orders changes to the same thing. */
export interface PayloadByKind {
  claim: ClaimPayload;
  'set-tags': { tags: string[] };
  block: Record<string, never>;
  unblock: Record<string, never>;
  unclaim: Record<string, never>;
  'tag-create': { tag: string; description: string };
  'tag-update': { tag: string; to: string; description: string | null };
  'tag-delete': { tag: string };
}

export type StoredEntry = {
  [K in EntryKind]: OutboxEntry & {
    kind: K;
    payload: PayloadByKind[K];
    uncertain: boolean;
    nextAttemptAt: number | null;
  };
}[EntryKind];

export type ClaimEntry = Extract<StoredEntry, { kind: 'claim' }>;

/** A claim about to be queued, its payload already serialised. */
export interface NewClaim {
  deviceId: string;
  payloadJson: string;
}

/** What enqueueing a claim did: queued anew, refreshed an unsent one, or found it already handled. */
export type EnqueueOutcome = 'queued' | 'refreshed' | 'in-flight' | 'already-claimed';

/** Tag changes are ordered among themselves by tag name, as device changes are by device UUID. */
export const tagKey = (tag: string) => `tag:${tag}`;

function toEntry(row: OutboxRow): StoredEntry {
  const payload = JSON.parse(row.payload) as Partial<ClaimPayload>;
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
    uncertain: row.uncertain === 1,
    nextAttemptAt: row.next_attempt_at,
  } as StoredEntry;
}

const now = () => new Date().toISOString();

/** The only code that reads or writes the outbox table. */
export class OutboxRepository {
  // Prepared once: imports enqueue 100,000 claims in one go.
  private readonly claimsOfDevice: Database.Statement<[string], OutboxRow>;
  private readonly refreshClaim: Database.Statement;
  private readonly insertEntry: Database.Statement;
  private readonly devicesWithClaims: Database.Statement<[string], string>;
  private readonly allClaimDevices: Database.Statement<[], string>;
  private readonly queueLength: Database.Statement<[], number>;
  private readonly firstBarrier: Database.Statement<[], number>;
  private readonly setSending: Database.Statement;
  private readonly setState: Database.Statement;
  private readonly unsettledBefore: Database.Statement<[number], number>;

  constructor(
    private readonly db: Database.Database,
    /** Up to this many outbox rows, every queued claim's device is read at once (tests lower it). */
    private readonly wholeQueueReadRows = 50_000,
  ) {
    // No ORDER BY: a device has a handful of claim entries at most, and sorting them in SQL costs
    // more than the lookup itself (it decides the import rate).
    this.claimsOfDevice = db.prepare(`SELECT * FROM outbox WHERE device_id = ? AND kind = 'claim'`);
    this.refreshClaim = db.prepare(
      `UPDATE outbox SET payload = ?, state = 'pending', last_error = NULL, attempts = 0, next_attempt_at = NULL,
       updated_at = ? WHERE seq = ?`,
    );
    this.devicesWithClaims = db
      .prepare<[string], string>(
        `SELECT DISTINCT device_id FROM outbox WHERE kind = 'claim' AND device_id IN (SELECT value FROM json_each(?))`,
      )
      .pluck();
    this.allClaimDevices = db
      .prepare<[], string>(`SELECT device_id FROM outbox WHERE kind = 'claim'`)
      .pluck();
    this.queueLength = db.prepare<[], number>('SELECT COUNT(*) FROM outbox').pluck();
    this.setSending = db.prepare(
      `UPDATE outbox SET state = 'sending', uncertain = 1, attempts = attempts + 1, updated_at = ? WHERE client_id = ?`,
    );
    this.setState = db.prepare(
      'UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, uncertain = ?, updated_at = ? WHERE client_id = ?',
    );
    this.firstBarrier = db
      .prepare<[], number>(
        `SELECT seq FROM outbox WHERE kind IN ('tag-update', 'tag-delete') AND state IN ('pending', 'sending')
         ORDER BY seq LIMIT 1`,
      )
      .pluck();
    this.unsettledBefore = db
      .prepare<[number], number>(
        `SELECT 1 FROM outbox WHERE seq < ? AND state IN ('pending', 'sending') LIMIT 1`,
      )
      .pluck();
    this.insertEntry = db.prepare(
      `INSERT INTO outbox (client_id, kind, device_id, payload, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
    );
  }

  /**
   * Queues a claim, de-duplicated by device UUID: while the claim is unsent the newest token wins
   * (a fresh read replaces the old token, keeping the entry's place in line).
   */
  enqueueClaim(deviceId: string, payload: ClaimPayload): { outcome: EnqueueOutcome; entry: StoredEntry } {
    return this.db.transaction(() => {
      const { outcome, seq } = this.putClaim(deviceId, payload, now());
      return { outcome, entry: this.bySeq(seq) };
    })();
  }

  /** Many claims in one transaction: all land, or none do. */
  enqueueClaims(claims: Array<{ deviceId: string; payload: ClaimPayload }>): Record<EnqueueOutcome, number> {
    return this.enqueueClaimBatches([
      claims.map((c) => ({ deviceId: c.deviceId, payloadJson: JSON.stringify(c.payload) })),
    ]);
  }

  /**
   * Many claims in one transaction, taken batch by batch as they are produced (a token file read on
   * a worker thread while this thread writes): all land, or none do. Devices that already have a
   * claim are found up front or per batch; only those (and repeats within the import) take the
   * slower path. Payloads arrive as JSON text, serialised where they were produced.
   */
  enqueueClaimBatches(batches: Iterable<NewClaim[]>): Record<EnqueueOutcome, number> {
    const counts: Record<EnqueueOutcome, number> = {
      queued: 0,
      refreshed: 0,
      'in-flight': 0,
      'already-claimed': 0,
    };
    const stamp = now();
    this.db.transaction(() => {
      const known = this.claimedDevices();
      for (const batch of batches) {
        known.lookUp(batch.map((c) => c.deviceId));
        for (const c of batch) {
          if (known.has(c.deviceId)) {
            const payload = JSON.parse(c.payloadJson) as ClaimPayload;
            counts[this.putClaim(c.deviceId, payload, stamp).outcome]++;
          } else {
            this.insertRow('claim', c.deviceId, c.payloadJson, stamp);
            known.add(c.deviceId);
            counts.queued++;
          }
        }
      }
    })();
    return counts;
  }

  /** The de-duplication rule; runs inside the caller's transaction. */
  private putClaim(
    deviceId: string,
    payload: ClaimPayload,
    stamp: string,
  ): { outcome: EnqueueOutcome; seq: number } {
    const existing = this.claimsOfDevice
      .all(deviceId)
      .reduce<OutboxRow | undefined>(
        (latest, row) => (latest && latest.seq > row.seq ? latest : row),
        undefined,
      );
    if (!existing) {
      return { outcome: 'queued', seq: this.insertRow('claim', deviceId, JSON.stringify(payload), stamp) };
    }
    if ((existing.state === 'pending' || existing.state === 'failed') && existing.uncertain === 0) {
      const previous = JSON.parse(existing.payload) as ClaimPayload;
      const merged: ClaimPayload = {
        token: payload.token,
        tags: [...new Set([...previous.tags, ...payload.tags])],
        imei: payload.imei ?? previous.imei,
      };
      this.refreshClaim.run(JSON.stringify(merged), stamp, existing.seq);
      return { outcome: 'refreshed', seq: existing.seq };
    }
    // An unsettled claim may already have reached the service: it is settled before anything else.
    if (existing.state === 'sending' || existing.uncertain === 1)
      return { outcome: 'in-flight', seq: existing.seq };
    if (existing.state === 'done') return { outcome: 'already-claimed', seq: existing.seq };
    return { outcome: 'queued', seq: this.insertRow('claim', deviceId, JSON.stringify(payload), stamp) };
  }

  /** Which of these devices already have a claim in the outbox (in any state). */
  devicesWithClaim(deviceIds: string[]): Set<string> {
    const known = this.claimedDevices();
    known.lookUp(deviceIds);
    return new Set(deviceIds.filter((id) => known.has(id)));
  }

  /**
   * The devices with a claim in the outbox, for lists of devices asked about one after another
   * (the batches of an import), and the ones the caller adds. A short queue is read whole, once; a
   * long one is searched for each list's devices through the index.
   */
  private claimedDevices(): Set<string> & { lookUp(deviceIds: string[]): void } {
    const readWhole = (this.queueLength.get() ?? 0) <= this.wholeQueueReadRows;
    const known = new Set(readWhole ? this.allClaimDevices.all() : []);
    return Object.assign(known, {
      lookUp: (deviceIds: string[]) => {
        if (readWhole) return;
        for (const id of this.devicesWithClaims.all(JSON.stringify(deviceIds))) known.add(id);
      },
    });
  }

  private insertRow(kind: EntryKind, key: string, payloadJson: string, stamp: string): number {
    return Number(this.insertEntry.run(newClientId(), kind, key, payloadJson, stamp, stamp).lastInsertRowid);
  }

  /** Queues any other change; the caller wraps it in the transaction of the local change it belongs to. */
  enqueue<K extends Exclude<EntryKind, 'claim'>>(
    kind: K,
    key: string,
    payload: PayloadByKind[K],
  ): StoredEntry {
    return this.insert(kind, key, payload);
  }

  private insert(kind: EntryKind, key: string, payload: unknown): StoredEntry {
    return this.bySeq(this.insertRow(kind, key, JSON.stringify(payload), now()));
  }

  private bySeq(seq: number): StoredEntry {
    const row = this.db.prepare<[number], OutboxRow>('SELECT * FROM outbox WHERE seq = ?').get(seq);
    if (!row) throw new Error(`outbox entry ${seq} vanished`);
    return toEntry(row);
  }

  get(id: string): StoredEntry | null {
    const row = this.db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE client_id = ?').get(id);
    return row ? toEntry(row) : null;
  }

  list(state: EntryState | 'all' = 'all'): StoredEntry[] {
    const rows =
      state === 'all'
        ? this.db.prepare<[], OutboxRow>('SELECT * FROM outbox ORDER BY seq').all()
        : this.db
            .prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE state = ? ORDER BY seq')
            .all(state);
    return rows.map(toEntry);
  }

  /**
   * Entries that may go out now: pending, due, and first in line for their device or tag (an
   * earlier change to the same thing that is still pending or being sent holds them back).
   * Renaming or deleting a tag changes every device, so it is a barrier: it waits for all earlier
   * changes, and all later ones wait for it.
   */
  ready(at: number, limit = 5000): StoredEntry[] {
    const barrier = this.firstBarrier.get() ?? null;
    const rows = this.db
      .prepare<[number, number | null, number | null, number], OutboxRow>(
        `SELECT * FROM outbox o
         WHERE o.state = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
           AND (? IS NULL OR o.seq <= ?)
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.device_id = o.device_id AND p.seq < o.seq
                           AND p.state IN ('pending', 'sending'))
         ORDER BY o.seq LIMIT ?`,
      )
      .all(at, barrier, barrier, limit);
    // The barrier itself goes only once everything before it is settled.
    if (barrier !== null && rows.at(-1)?.seq === barrier && this.unsettledBefore.get(barrier) !== undefined)
      rows.pop();
    return rows.map(toEntry);
  }

  /** When the next entry held back by backoff becomes due, or null if none is waiting. */
  nextDueAt(): number | null {
    const row = this.db
      .prepare(
        `SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending' AND next_attempt_at IS NOT NULL`,
      )
      .get() as { t: number | null };
    return row.t;
  }

  /**
   * Entries a crashed or killed run left 'sending': back in line, uncertain, so they are settled
   * by asking the service before anything is resent. Returns how many.
   */
  recoverInterrupted(): number {
    return this.db
      .prepare(
        `UPDATE outbox SET state = 'pending', uncertain = 1, next_attempt_at = NULL WHERE state = 'sending'`,
      )
      .run().changes;
  }

  /** Changes not yet confirmed by the service, per device: their kinds in order, and the newest tag list. */
  pendingChangesByDevice(
    deviceId: string | null = null,
  ): Map<string, { kinds: EntryKind[]; tags: string[] | null }> {
    const rows = this.db
      .prepare<[string | null, string | null], { device_id: string; kind: EntryKind; payload: string }>(
        `SELECT device_id, kind, payload FROM outbox
         WHERE state IN ('pending', 'sending', 'failed') AND (? IS NULL OR device_id = ?) ORDER BY seq`,
      )
      .all(deviceId, deviceId);
    const byDevice = new Map<string, { kinds: EntryKind[]; tags: string[] | null }>();
    for (const { device_id, kind, payload } of rows) {
      const entry = byDevice.get(device_id) ?? { kinds: [], tags: null };
      entry.kinds.push(kind);
      if (kind === 'set-tags') entry.tags = (JSON.parse(payload) as { tags: string[] }).tags;
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

  /** Tag changes not yet confirmed, in order: re-applied over a fresh pull of the tag list. */
  pendingTagChanges(): StoredEntry[] {
    return this.db
      .prepare<[], OutboxRow>(
        `SELECT * FROM outbox WHERE kind IN ('tag-create', 'tag-update', 'tag-delete') AND state IN ('pending', 'sending') ORDER BY seq`,
      )
      .all()
      .map(toEntry);
  }

  counts(): OutboxCounts {
    const counts: OutboxCounts = { pending: 0, sending: 0, failed: 0, done: 0 };
    const rows = this.db
      .prepare<[], { state: EntryState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state')
      .all();
    for (const { state, n } of rows) counts[state] = n;
    return counts;
  }

  /**
   * Committed before the request goes out, so a crash mid-request leaves a trace to settle. The
   * entry is also marked uncertain: only a definite answer clears that.
   */
  markSending(ids: string[]): void {
    const stamp = now();
    this.db.transaction(() => ids.forEach((id) => this.setSending.run(stamp, id)))();
  }

  markDone(id: string): void {
    this.settle(id, 'done', null, null, false);
  }

  markFailed(id: string, error: string): void {
    this.settle(id, 'failed', error, null, false);
  }

  /**
   * Back in line. `uncertain`: the request may have had its effect (a reset, a timeout, a 5xx),
   * so the entry is settled by asking the service before it is sent again.
   */
  markPending(
    id: string,
    error: string | null,
    options: { retryAt?: number | null; uncertain?: boolean } = {},
  ): void {
    this.settle(id, 'pending', error, options.retryAt ?? null, options.uncertain ?? false);
  }

  private settle(
    id: string,
    state: EntryState,
    error: string | null,
    retryAt: number | null,
    uncertain: boolean,
  ): void {
    this.db
      .prepare(
        'UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, uncertain = ?, updated_at = ? WHERE client_id = ?',
      )
      .run(state, error, retryAt, uncertain ? 1 : 0, now(), id);
  }

  /** Failed entries go back in line; returns how many. */
  retry(id: string | 'all-failed'): number {
    const stamp = now();
    const reset = `state = 'pending', next_attempt_at = NULL, updated_at = ?`;
    const result =
      id === 'all-failed'
        ? this.db.prepare(`UPDATE outbox SET ${reset} WHERE state = 'failed'`).run(stamp)
        : this.db
            .prepare(`UPDATE outbox SET ${reset} WHERE client_id = ? AND state = 'failed'`)
            .run(stamp, id);
    return result.changes;
  }

  /** Only an entry that has certainly not reached the service (pending or failed, not uncertain) can be dropped. */
  discard(id: string): number {
    return this.db
      .prepare(`DELETE FROM outbox WHERE client_id = ? AND state IN ('pending', 'failed') AND uncertain = 0`)
      .run(id).changes;
  }
}
