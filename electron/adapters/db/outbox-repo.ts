import type Database from 'better-sqlite3';
import {
  decideClaim,
  mergeClaims,
  type ClaimHistoryEntry,
  type ClaimPayload,
  type PayloadByKind,
  type StoredEntry,
  type TagChange,
} from '../../core/outbox-entry';
import type { EntryKind, EntryState, FailureKind } from '../../shared/types';
import { newClientId } from './client-id';
import { packClaims, type NewClaim, type PackedClaims } from './packed-claims';
import { write } from './database';

export interface OutboxRow {
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
  failure: FailureKind | null;
  /** The local copy's IMEI for the entry's device, where a query joined it (changes other than claims carry none). */
  device_imei?: string | null;
  created_at: string;
  updated_at: string;
}

/** What enqueueing a claim did: queued anew, refreshed an unsent one, or found it already handled. */
export type EnqueueOutcome = 'queued' | 'refreshed' | 'in-flight' | 'already-claimed';

const outcomeOf: Record<ReturnType<typeof decideClaim>['action'], EnqueueOutcome> = {
  'queue-new': 'queued',
  refresh: 'refreshed',
  'in-flight': 'in-flight',
  'already-claimed': 'already-claimed',
};

export function toEntry(row: OutboxRow): StoredEntry {
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
    imei: payload.imei ?? row.device_imei ?? null,
    payload,
    uncertain: row.uncertain === 1,
    nextAttemptAt: row.next_attempt_at,
    failure: row.failure ?? null,
  } as StoredEntry;
}

const now = () => new Date().toISOString();

/** The only code that reads or writes the outbox table. */
export class OutboxRepository {
  // Prepared once: imports enqueue 100,000 claims in one go.
  private readonly claimHistory: Database.Statement<
    [string],
    Omit<ClaimHistoryEntry, 'uncertain'> & { uncertain: number }
  >;
  private readonly refreshClaim: Database.Statement;
  private readonly insertEntry: Database.Statement;
  private readonly entryBySeq: Database.Statement<[number], OutboxRow>;
  private readonly stageClaim: Database.Statement;
  private readonly firstBarrier: Database.Statement<[], number>;
  private readonly setSending: Database.Statement;
  private readonly setState: Database.Statement;
  private readonly unsettledBefore: Database.Statement<[number], number>;

  constructor(private readonly db: Database.Database) {
    // No ORDER BY: a device has a handful of entries at most; decideClaim picks the newest.
    this.claimHistory = db.prepare(
      `SELECT seq, kind, state, uncertain FROM outbox WHERE device_id = ? AND kind IN ('claim', 'unclaim')`,
    );
    this.refreshClaim = db.prepare(
      `UPDATE outbox SET payload = @payload, imei = @payload ->> '$.imei', state = 'pending', last_error = NULL,
       attempts = 0, next_attempt_at = NULL, failure = NULL, updated_at = @stamp WHERE seq = @seq`,
    );
    this.setSending = db.prepare(
      `UPDATE outbox SET state = 'sending', uncertain = 1, attempts = attempts + 1, updated_at = ? WHERE client_id = ?`,
    );
    this.setState = db.prepare(
      `UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, uncertain = ?, attempts = attempts + ?,
       failure = NULL, updated_at = ? WHERE client_id = ?`,
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
    this.entryBySeq = db.prepare('SELECT * FROM outbox WHERE seq = ?');
    this.insertEntry = db.prepare(
      `INSERT INTO outbox (client_id, kind, device_id, payload, imei, state, created_at, updated_at)
       VALUES (@clientId, @kind, @key, @payload, @payload ->> '$.imei', 'pending', @stamp, @stamp)`,
    );
    // Imports are staged in a temp table, which belongs to this connection alone: staging takes no
    // lock on the database file, and the whole file then lands in one short transaction.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS staged_claims (
      device_id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL, payload TEXT NOT NULL)`);
    db.function('fieldclaim_merge_claim', { deterministic: true }, (previous, next) =>
      JSON.stringify(
        mergeClaims(JSON.parse(String(previous)) as ClaimPayload, JSON.parse(String(next)) as ClaimPayload),
      ),
    );
    this.stageClaim = db.prepare(
      `INSERT INTO temp.staged_claims (device_id, client_id, payload)
       SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true
       ON CONFLICT (device_id) DO UPDATE SET payload = fieldclaim_merge_claim(payload, excluded.payload)`,
    );
  }

  /**
   * Queues a claim, de-duplicated by device UUID: while the claim is unsent the newest token wins
   * (a fresh read replaces the old token, keeping the entry's place in line).
   */
  enqueueClaim(deviceId: string, payload: ClaimPayload): { outcome: EnqueueOutcome; entry: StoredEntry } {
    return write(this.db, () => {
      const { outcome, seq } = this.putClaim(deviceId, JSON.stringify(payload), now());
      return { outcome, entry: this.bySeq(seq) };
    });
  }

  /**
   * Many claims, taken batch by batch as they are produced (a token file read on a worker thread
   * while this thread writes): all land, or none do. The batches are staged first, holding no
   * lock on the file (repeats within the file merge there); then one transaction moves them into
   * the outbox in SQL, and only devices the outbox already knows go through the rule one by one.
   * A sync in another process waits for that short transaction, not for the whole file.
   */
  enqueueClaimBatches(batches: Iterable<readonly NewClaim[] | PackedClaims>): Record<EnqueueOutcome, number> {
    const counts: Record<EnqueueOutcome, number> = {
      queued: 0,
      refreshed: 0,
      'in-flight': 0,
      'already-claimed': 0,
    };
    this.db.exec('DELETE FROM temp.staged_claims');
    try {
      let claims = 0;
      for (const batch of batches) {
        const packed = 'json' in batch ? batch : packClaims(batch);
        this.stageClaim.run(packed.json);
        claims += packed.count;
      }
      const stamp = now();
      write(this.db, () => {
        counts.queued = this.db
          .prepare(
            `INSERT INTO outbox (client_id, kind, device_id, payload, imei, state, created_at, updated_at)
             SELECT s.client_id, 'claim', s.device_id, s.payload, s.payload ->> '$.imei', 'pending', @stamp, @stamp
             FROM temp.staged_claims s
             WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.device_id = s.device_id AND o.kind IN ('claim', 'unclaim'))
             ORDER BY s.rowid`,
          )
          .run({ stamp }).changes;
        const known = this.db
          .prepare<[], { device_id: string; payload: string }>(
            `SELECT device_id, payload FROM temp.staged_claims s
             WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.device_id = s.device_id AND o.kind IN ('claim', 'unclaim'))
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.client_id = s.client_id)
             ORDER BY s.rowid`,
          )
          .all();
        for (const row of known) counts[this.putClaim(row.device_id, row.payload, stamp).outcome]++;
      });
      const staged = counts.queued + counts.refreshed + counts['in-flight'] + counts['already-claimed'];
      // Rows of the file that repeated a device merged while staged: each one refreshed the first.
      counts.refreshed += claims - staged;
    } finally {
      this.db.exec('DELETE FROM temp.staged_claims');
    }
    return counts;
  }

  /** The de-duplication rule (core/outbox-entry.ts), applied; runs inside the caller's transaction. */
  private putClaim(
    deviceId: string,
    payloadJson: string,
    stamp: string,
  ): { outcome: EnqueueOutcome; seq: number } {
    const history = this.claimHistory.all(deviceId).map((r) => ({ ...r, uncertain: r.uncertain === 1 }));
    const decision = decideClaim(history);
    switch (decision.action) {
      case 'queue-new':
        return { outcome: 'queued', seq: this.insertRow('claim', deviceId, payloadJson, stamp) };
      case 'refresh': {
        const current = this.bySeq(decision.seq).payload as ClaimPayload;
        const merged = mergeClaims(current, JSON.parse(payloadJson) as ClaimPayload);
        this.refreshClaim.run({ payload: JSON.stringify(merged), stamp, seq: decision.seq });
        return { outcome: 'refreshed', seq: decision.seq };
      }
      default:
        return { outcome: outcomeOf[decision.action], seq: decision.seq };
    }
  }

  /** The state of each of these devices' latest claim, for those with one. */
  claimStates(deviceIds: string[]): Map<string, EntryState> {
    const rows = this.db
      .prepare<[string], { device_id: string; state: EntryState }>(
        `SELECT device_id, state FROM outbox WHERE seq IN (
           SELECT max(seq) FROM outbox WHERE kind = 'claim' AND device_id IN (SELECT value FROM json_each(?))
           GROUP BY device_id)`,
      )
      .all(JSON.stringify(deviceIds));
    return new Map(rows.map((r) => [r.device_id, r.state]));
  }

  private insertRow(kind: EntryKind, key: string, payloadJson: string, stamp: string): number {
    return Number(
      this.insertEntry.run({ clientId: newClientId(), kind, key, payload: payloadJson, stamp })
        .lastInsertRowid,
    );
  }

  /** Queues any other change; the caller wraps it in the transaction of the local change it belongs to. */
  enqueue<K extends Exclude<EntryKind, 'claim'>>(
    kind: K,
    key: string,
    payload: PayloadByKind[K],
  ): StoredEntry {
    return write(this.db, () => this.bySeq(this.insertRow(kind, key, JSON.stringify(payload), now())));
  }

  private bySeq(seq: number): StoredEntry {
    const row = this.entryBySeq.get(seq);
    if (!row) throw new Error(`outbox entry ${seq} vanished`);
    return toEntry(row);
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
   * by asking the service before anything is resent. Only the holder of the sync lease may call
   * this: another process's entries in flight are not interrupted. Returns how many.
   */
  recoverInterrupted(): number {
    return write(
      this.db,
      () =>
        this.db
          .prepare(
            `UPDATE outbox SET state = 'pending', uncertain = 1, next_attempt_at = NULL WHERE state = 'sending'`,
          )
          .run().changes,
    );
  }

  /** Tags that a queued creation will make (with its description): nothing creates them on the fly. */
  queuedTagCreations(): Set<string> {
    return new Set(
      this.db
        .prepare<[], string>(
          // The kinds listed as in the partial index outbox_tag_changes, so the index answers it.
          `SELECT json_extract(payload, '$.tag') FROM outbox
           WHERE kind IN ('tag-create', 'tag-update', 'tag-delete') AND kind = 'tag-create' AND state IN ('pending', 'sending')`,
        )
        .pluck()
        .all(),
    );
  }

  /** Tag changes not yet confirmed, in order: re-applied over a fresh pull of the tag list. */
  pendingTagChanges(): Array<StoredEntry & TagChange> {
    return this.db
      .prepare<[], OutboxRow>(
        `SELECT * FROM outbox WHERE kind IN ('tag-create', 'tag-update', 'tag-delete') AND state IN ('pending', 'sending') ORDER BY seq`,
      )
      .all()
      .map((row) => toEntry(row) as StoredEntry & TagChange);
  }

  /**
   * Committed before the request goes out, so a crash mid-request leaves a trace to settle. The
   * entry is also marked uncertain: only a definite answer clears that.
   */
  markSending(ids: string[]): void {
    const stamp = now();
    write(this.db, () => ids.forEach((id) => this.setSending.run(stamp, id)));
  }

  markDone(id: string): void {
    this.writeState(id, 'done', null, null, false, false);
  }

  markFailed(id: string, error: string, failure: FailureKind = 'refused'): void {
    write(this.db, () =>
      this.db
        .prepare(
          `UPDATE outbox SET state = 'failed', last_error = ?, failure = ?, next_attempt_at = NULL, uncertain = 0,
           updated_at = ? WHERE client_id = ?`,
        )
        .run(error, failure, now(), id),
    );
  }

  /**
   * Back in line. `uncertain`: the request may have had its effect (a reset, a timeout, a 5xx),
   * so the entry is settled by asking the service before it is sent again. `attempted`: a look-up
   * made for it failed, which counts as an attempt, so the next wait is longer.
   */
  markPending(
    id: string,
    error: string | null,
    options: { retryAt?: number | null; uncertain?: boolean; attempted?: boolean } = {},
  ): void {
    this.writeState(
      id,
      'pending',
      error,
      options.retryAt ?? null,
      options.uncertain ?? false,
      options.attempted ?? false,
    );
  }

  private writeState(
    id: string,
    state: EntryState,
    error: string | null,
    retryAt: number | null,
    uncertain: boolean,
    attempted: boolean,
  ): void {
    write(this.db, () =>
      this.setState.run(state, error, retryAt, uncertain ? 1 : 0, attempted ? 1 : 0, now(), id),
    );
  }

  /**
   * Failed entries go back in line, those of a kind retrying can help (isRetryable: the kinds
   * given, and entries failed before kinds were recorded); returns how many.
   */
  retry(id: string | 'all-failed', retryableKinds: readonly FailureKind[]): number {
    const stamp = now();
    const reset = `state = 'pending', next_attempt_at = NULL, failure = NULL, updated_at = ?`;
    const retryable = `(failure IS NULL OR failure IN (SELECT value FROM json_each(?)))`;
    const kinds = JSON.stringify(retryableKinds);
    return write(this.db, () =>
      id === 'all-failed'
        ? this.db
            .prepare(`UPDATE outbox SET ${reset} WHERE state = 'failed' AND ${retryable}`)
            .run(stamp, kinds).changes
        : this.db
            .prepare(`UPDATE outbox SET ${reset} WHERE client_id = ? AND state = 'failed' AND ${retryable}`)
            .run(stamp, id, kinds).changes,
    );
  }

  /**
   * Moves entries done before `cutoff` (an ISO time) to the archive, keeping what the site report
   * needs and dropping the token; a batch at a time, so a sync in another process is not held up.
   */
  archiveDone(cutoff: string, batch = 5_000): number {
    let moved = 0;
    for (;;) {
      const n = write(this.db, () => {
        const seqs = this.db
          .prepare<[string, number], number>(
            `SELECT seq FROM outbox WHERE state = 'done' AND updated_at < ? ORDER BY updated_at LIMIT ?`,
          )
          .pluck()
          .all(cutoff, batch);
        if (seqs.length === 0) return 0;
        const list = JSON.stringify(seqs);
        this.db
          .prepare(
            `INSERT OR REPLACE INTO outbox_archive (client_id, kind, device_id, state, tags, imei, last_error, created_at, finished_at)
             SELECT client_id, kind, device_id, state, COALESCE(json_extract(payload, '$.tags'), '[]'),
               imei, last_error, created_at, updated_at
             FROM outbox WHERE seq IN (SELECT value FROM json_each(?))`,
          )
          .run(list);
        return this.db.prepare('DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))').run(list)
          .changes;
      });
      moved += n;
      if (n < batch) return moved;
    }
  }

  /** Only an entry that has certainly not reached the service (pending or failed, not uncertain) can be dropped. */
  discard(id: string): number {
    return write(
      this.db,
      () =>
        this.db
          .prepare(
            `DELETE FROM outbox WHERE client_id = ? AND state IN ('pending', 'failed') AND uncertain = 0`,
          )
          .run(id).changes,
    );
  }
}
