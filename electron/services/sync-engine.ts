import { mapBulkResult, type BulkRow } from '../core/bulk-result';
import { forEachLimit } from '../core/concurrency';
import type { StoredEntry } from '../core/outbox-entry';
import {
  backoffDelay,
  judgeFailure,
  rateLimitPause,
  type RetryPolicy,
  type Stop,
} from '../core/retry-policy';
import type { ApiFailure, ApiOutcome, ServiceDevice, ServiceTag } from '../core/service-model';
import { settledByTags, settleVerdict, type Observation } from '../core/settle';
import { ProvisioningClient, parseDevice } from '../adapters/api/provisioning-client';
import { toBulkCsv } from '../adapters/csv/bulk-csv';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { OutboxQueries } from '../adapters/db/outbox-queries';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
import { formatMoment } from '../shared/format-time';
import type { FailureKind, SyncProgress, SyncSummary } from '../shared/types';
import { failureKindOf } from '../core/failure-kind';
import { applyAnswer } from './local-copy';
import { ServiceTags } from './sync-tags';

export interface SyncEngineDeps {
  outbox: OutboxRepository;
  queries: OutboxQueries;
  devices: DevicesRepository;
  tags: TagsRepository;
  client: ProvisioningClient;
  /** The queue-wide pause after a 429, kept in the database so it survives restarts. */
  pause: { get(): number | null; set(until: number | null): void };
  policy: RetryPolicy;
  /** Runs synchronous database work in one transaction (one fsync for a whole bulk response). */
  transaction: <T>(work: () => T) => T;
  /** How long one run may wait for backoff or a rate-limit pause before it returns. */
  maxWaitMs: number;
  /** How long one run may take in all; what is left goes out on the next run. */
  maxRunMs?: number;
  /** The sync lease: renewed as the run goes on; false means another process took the sync over. */
  lease?: { renew(): boolean };
  onProgress?: (progress: SyncProgress) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The key can only read: nothing is sent. */
  readOnly?: boolean;
  /** Rows per bulk claim (the service's limit is unknown; Nordic's own tool splits at 1000). */
  batchSize?: number;
  concurrency?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const tagsNeeded = (e: StoredEntry): string[] =>
  e.kind === 'claim' || e.kind === 'set-tags' ? e.payload.tags : [];

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * One sync run: settle what may already have happened, then send what is due, in order. Each
 * answer updates the local copy (the device a claim returns, a block's new status, an unclaim's
 * absence), so a run costs what is queued, not the size of the fleet. Every state change is
 * committed before the next request: the run can be killed at any moment and the next one carries
 * on without losing or doubling a change. Every run ends: on a queue-wide stop, after a stretch of
 * rounds in which the service answered nothing definite, when what is left waits longer than the
 * run may, or at its time bound.
 */
export class SyncRun {
  private readonly summary: SyncSummary = {
    sent: 0,
    succeeded: 0,
    failed: 0,
    pending: 0,
    devices: 0,
    stopped: null,
  };
  private total = 0;
  private current: string | null = null;
  private stop: Stop | null = null;
  private readonly serviceTags: ServiceTags;
  /** Answers that settled something (done, failed, or "not there, send it"), and failures. */
  private definite = 0;
  private failures = 0;
  private lastFailure: string | null = null;
  private lastProgressAt = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly deadline: number;

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? defaultSleep;
    this.deadline = this.now() + (deps.maxRunMs ?? Number.POSITIVE_INFINITY);
    this.serviceTags = new ServiceTags(deps.client, deps.tags);
  }

  async run(): Promise<SyncSummary> {
    const { queries } = this.deps;
    const counts = queries.counts();
    this.total = counts.pending + counts.sending;
    this.progress();
    this.summary.stopped = this.deps.readOnly
      ? {
          reason: 'forbidden',
          message: "This API key's role can only read (a viewer): changes wait for a key that may make them.",
        }
      : await this.drain();
    const after = queries.counts();
    this.summary.pending = after.pending + after.sending;
    this.summary.devices = this.deps.devices.count();
    this.current = null;
    this.progress(true);
    return this.summary;
  }

  /** Whether the run stopped only because what is left waits for a retry (the service answers). */
  endedWaiting = false;

  /** At most ten updates a second reach the UI (each is an IPC message), and always the last one. */
  private progress(final = false): void {
    const at = this.now();
    if (!final && at - this.lastProgressAt < 100) return;
    this.lastProgressAt = at;
    this.deps.onProgress?.({
      sent: this.summary.sent,
      total: Math.max(this.total, this.summary.sent),
      current: this.current,
    });
  }

  // ---- the run's bounds -------------------------------------------------------------------------

  /** Asked before every round: is the sync still this process's? */
  private leaseLost(): Stop | null {
    if (!this.deps.lease || this.deps.lease.renew()) return null;
    return {
      reason: 'sync-busy',
      message:
        'Another Fieldclaim took over the sync of this data folder; this run stopped without sending more.',
    };
  }

  /** No new request starts after the run's time bound. */
  private overTime(): boolean {
    return this.now() >= this.deadline;
  }

  private timeLimitStop(): Stop {
    const left = this.deps.queries.counts();
    return {
      reason: 'time-limit',
      message: `This sync reached its time limit; ${plural(left.pending + left.sending, 'change')} still wait and go out on the next sync.`,
    };
  }

  /** Waits out a rate-limit pause if it ends soon enough; otherwise says the queue is paused. */
  private async waitForPause(): Promise<Stop | null> {
    const until = this.deps.pause.get();
    if (until === null || until <= this.now()) return null;
    if (until - this.now() > Math.min(this.deps.maxWaitMs, this.deadline - this.now())) {
      return {
        reason: 'rate-limited',
        message: `Rate limited by the service until ${formatMoment(until, this.now())}: changes wait and go out then.`,
      };
    }
    await this.sleep(until - this.now());
    return null;
  }

  /** Entries are due later than this run may wait: say when, and why they wait. */
  private waitingStop(due: number): Stop {
    this.endedWaiting = true;
    const left = this.deps.queries.counts();
    return {
      reason: 'server-error',
      message:
        `${plural(left.pending, 'change')} wait for a retry at ${formatMoment(due, this.now())}` +
        (this.lastFailure ? ` (${this.lastFailure})` : ''),
    };
  }

  // ---- rounds -----------------------------------------------------------------------------------

  private async drain(): Promise<Stop | null> {
    const { outbox, policy } = this.deps;
    let fruitlessRounds = 0;
    for (;;) {
      const halt = this.leaseLost() ?? (await this.waitForPause());
      if (halt) return halt;
      this.stop = null;
      const ready = outbox.ready(this.now());
      if (ready.length === 0) {
        const due = outbox.nextDueAt();
        if (due === null) return null;
        const wait = Math.max(0, due - this.now());
        if (wait > Math.min(this.deps.maxWaitMs, this.deadline - this.now())) return this.waitingStop(due);
        await this.sleep(wait);
        continue;
      }
      if (this.overTime()) return this.timeLimitStop();
      const definiteBefore = this.definite;
      const failuresBefore = this.failures;
      await this.round(ready);
      // A 429 pauses the queue; the next turn of the loop waits it out or reports it.
      const stop = this.stopped();
      if (stop && stop.reason !== 'rate-limited') return stop;
      // A stretch of rounds where every answer was a failure: the service is down, or what answers is not it.
      fruitlessRounds =
        this.definite === definiteBefore && this.failures > failuresBefore ? fruitlessRounds + 1 : 0;
      if (fruitlessRounds >= policy.maxFailedRounds) {
        const left = this.deps.queries.counts();
        return {
          reason: 'server-error',
          message:
            `The service failed ${plural(fruitlessRounds, 'time')} in a row (${this.lastFailure ?? 'no answer it could stand behind'}); ` +
            `${plural(left.pending + left.sending, 'change')} wait. Sync again later.`,
        };
      }
    }
  }

  /** One round: look up what may have happened; else tag creations first, then claims in bulk, then the rest. */
  private async round(ready: StoredEntry[]): Promise<void> {
    const uncertain = ready.filter((e) => e.uncertain);
    if (uncertain.length > 0) return this.settleAll(uncertain);
    // A queued tag creation carries its description: it goes before the entries that use the tag.
    await this.sendEach(ready.filter((e) => e.kind === 'tag-create'));
    if (this.stop) return;
    const rest = ready.filter((e) => e.kind !== 'tag-create');
    const sendable = await this.withTagsReady(rest);
    const claims = sendable.filter((e) => e.kind === 'claim');
    // Two bulk requests in flight: one batch's answer is written while the next is on the wire.
    await forEachLimit(chunks(claims, this.deps.batchSize ?? 1000), 2, async (batch) => {
      if (!this.stop && !this.overTime()) await this.sendClaims(batch);
    });
    if (!this.stop) await this.sendEach(sendable.filter((e) => e.kind !== 'claim'));
  }

  /** Read through a method: requests running in parallel set it while the loop awaits them. */
  private stopped(): Stop | null {
    return this.stop;
  }

  // ---- deciding an entry's fate -------------------------------------------------------------------

  /** The service confirmed the change: it is done, and its answer updates the local copy (one commit). */
  private finish(entry: StoredEntry, answer: ServiceDevice | ServiceTag | null = null): void {
    this.deps.transaction(() => {
      applyAnswer(entry, answer, { devices: this.deps.devices, tags: this.deps.tags });
      this.deps.outbox.markDone(entry.id);
    });
    this.summary.sent++;
    this.summary.succeeded++;
    this.definite++;
    this.progress();
  }

  /** The service refused the change for good (400, 422, claimed by another team). */
  private fail(entry: StoredEntry, message: string, failure: FailureKind = 'refused'): void {
    this.deps.outbox.markFailed(entry.id, message, failure);
    this.summary.sent++;
    this.summary.failed++;
    this.definite++;
    this.progress();
  }

  private pauseFor(stop: Stop): void {
    if (stop.reason === 'rate-limited')
      this.deps.pause.set(this.now() + rateLimitPause(stop.retryAfterMs, this.deps.policy));
  }

  /** A failure that is not about one entry: the queue stops (or, for a passing one, the round notes it). */
  private noteFailure(failure: ApiFailure): void {
    this.failures++;
    const verdict = judgeFailure(failure);
    if (verdict.scope === 'queue') {
      this.stop ??= verdict.stop;
      this.pauseFor(verdict.stop);
    } else {
      this.lastFailure = verdict.message;
    }
  }

  /**
   * Applies a failed call's verdict to an entry; a queue-wide problem stops the run. An entry that
   * was uncertain stays so whatever the failed call said: its own request may have been applied.
   * `lookedUp`: the call was a look-up for the entry, which counts as an attempt (its wait grows).
   */
  private applyFailure(entry: StoredEntry, outcome: ApiFailure, lookedUp = false): void {
    const verdict = judgeFailure(outcome);
    if (verdict.scope === 'entry' && verdict.action === 'fail' && !entry.uncertain)
      return this.fail(
        entry,
        verdict.message,
        failureKindOf(entry, 'status' in outcome ? (outcome.status ?? undefined) : undefined),
      );
    this.failures++;
    const uncertain = entry.uncertain || ('maybeSent' in verdict && verdict.maybeSent);
    if (verdict.scope === 'entry') {
      this.lastFailure = verdict.message;
      const retryAt = this.now() + backoffDelay(entry.attempts + 1, this.deps.policy);
      this.deps.outbox.markPending(entry.id, verdict.message, { retryAt, uncertain, attempted: lookedUp });
      return;
    }
    this.deps.outbox.markPending(entry.id, verdict.stop.message, { uncertain });
    this.pauseFor(verdict.stop);
    this.stop ??= verdict.stop;
  }

  // ---- settling entries whose outcome is unknown --------------------------------------------------

  private async observe(entry: StoredEntry): Promise<Observation | ApiFailure> {
    if (settledByTags(entry.kind)) {
      const tags = await this.deps.client.listTags();
      return tags.kind === 'ok' ? { tags: tags.value } : tags;
    }
    const lookup = await this.deps.client.getDevice(entry.deviceId);
    if (lookup.kind === 'ok') return { device: lookup.value };
    if (lookup.kind === 'rejected' && lookup.status === 404) return { device: null };
    return lookup;
  }

  /** Asks the service whether each entry's change already happened, before anything is resent. */
  private async settleAll(
    entries: StoredEntry[],
    conflictHint: Map<string, string> = new Map(),
  ): Promise<void> {
    await forEachLimit(entries, this.deps.concurrency ?? 8, async (entry) => {
      if (this.stop || this.overTime()) return;
      const seen = await this.observe(entry);
      if ('kind' in seen) return this.applyFailure({ ...entry, uncertain: true }, seen, true);
      const verdict = settleVerdict(entry, seen);
      const hint = conflictHint.get(entry.id);
      if (verdict.verdict === 'done') return this.finish(entry, 'device' in seen ? seen.device : null);
      if (verdict.verdict === 'failed') return this.fail(entry, verdict.message, verdict.failure);
      // Not there: for a claim the service called "already claimed", that means another team has it.
      if (hint && entry.kind === 'claim')
        return this.fail(entry, `Already claimed by another team (${hint})`, 'claimed-elsewhere');
      this.definite++;
      this.deps.outbox.markPending(entry.id, entry.lastError, { uncertain: false });
    });
  }

  // ---- sending ------------------------------------------------------------------------------------

  /**
   * The entries whose tags the service has (creating those it lacks); the others wait: for a
   * queued creation of their tag, briefly; for a tag that could not be made, with back-off.
   */
  private async withTagsReady(entries: StoredEntry[]): Promise<StoredEntry[]> {
    const needed = new Set(entries.flatMap(tagsNeeded));
    const readiness = await this.serviceTags.prepare(
      needed,
      () => this.deps.outbox.queuedTagCreations(),
      () => Boolean(this.stop),
    );
    if (readiness.failure) this.noteFailure(readiness.failure);
    const sendable: StoredEntry[] = [];
    for (const entry of entries) {
      const awaited = tagsNeeded(entry).find((t) => readiness.awaitingCreation.has(t));
      const missing = tagsNeeded(entry).find((t) => readiness.unavailable.has(t));
      if (awaited === undefined && missing === undefined) {
        sendable.push(entry);
        continue;
      }
      const tag = awaited ?? missing!;
      this.deps.outbox.markPending(entry.id, `Waiting for the tag "${tag}" to be created in the service`, {
        retryAt:
          this.now() + (awaited !== undefined ? 0 : backoffDelay(entry.attempts + 1, this.deps.policy)),
        attempted: missing !== undefined,
      });
    }
    return sendable;
  }

  private async sendClaims(batch: StoredEntry[]): Promise<void> {
    if (batch.length === 1) return this.sendEach(batch);
    const { outbox, client } = this.deps;
    const rows: BulkRow[] = batch.map((e) => ({
      deviceId: e.deviceId,
      token: (e.payload as { token: string }).token,
    }));
    outbox.markSending(batch.map((e) => e.id));
    this.current = `bulk claim of ${batch.length}`;
    this.progress();
    const outcome = await client.bulkClaim(
      toBulkCsv(batch.map((e) => ({ token: (e.payload as { token: string }).token, tags: e.tags }))),
    );
    if (outcome.kind !== 'ok') {
      const verdict = judgeFailure(outcome);
      if (verdict.scope === 'entry' && verdict.action === 'fail') {
        // The whole file was refused (one bad row?): send each claim alone so only bad rows fail.
        batch.forEach((e) => outbox.markPending(e.id, null, { uncertain: false }));
        return this.sendEach(batch.map((e) => ({ ...e, uncertain: false })));
      }
      batch.forEach((e) => this.applyFailure(e, outcome));
      return;
    }
    const fates = mapBulkResult(rows, outcome.status, outcome.value, parseDevice);
    const unclear: StoredEntry[] = [];
    const refused: StoredEntry[] = [];
    const hints = new Map<string, string>();
    this.deps.transaction(() =>
      fates.forEach((fate, i) => {
        const entry = batch[i]!;
        if (fate.fate === 'done') this.finish(entry, fate.device);
        else if (fate.fate === 'failed') {
          // Known not applied: back in line at once, in case the run stops before it is re-sent.
          this.deps.outbox.markPending(entry.id, fate.message, { uncertain: false });
          refused.push({ ...entry, uncertain: false });
        } else {
          unclear.push({ ...entry, uncertain: true });
          if (fate.hint) hints.set(entry.id, fate.hint);
        }
      }),
    );
    this.progress(true);
    await this.settleAll(unclear, hints);
    // A bulk answer names a refused row in words only. Sent alone (it was not applied), its
    // refusal comes with a status, and with it the kind of failure and whether Retry can help.
    await this.sendEach(refused);
  }

  private async sendEach(entries: StoredEntry[]): Promise<void> {
    await forEachLimit(entries, this.deps.concurrency ?? 4, async (entry) => {
      if (this.stop || this.overTime()) return;
      this.deps.outbox.markSending([entry.id]);
      this.current = `${entry.kind} ${entry.deviceId}`;
      const outcome = await this.send(entry);
      if (outcome.kind === 'ok') {
        if (outcome.value && 'tag' in outcome.value) this.serviceTags.add(outcome.value);
        return this.finish(entry, outcome.value);
      }
      // Answers that mean the change is already in effect, or need a look to tell.
      if (outcome.kind === 'rejected') {
        if (outcome.status === 409 && entry.kind === 'claim')
          return this.settleAll([entry], new Map([[entry.id, outcome.message]]));
        const alreadyInEffect =
          (outcome.status === 404 && (entry.kind === 'unclaim' || entry.kind === 'tag-delete')) ||
          (outcome.status === 409 && entry.kind === 'tag-create');
        if (alreadyInEffect) return this.finish(entry);
      }
      this.applyFailure(entry, outcome);
    });
  }

  private send(entry: StoredEntry): Promise<ApiOutcome<ServiceDevice | ServiceTag | null>> {
    const { client } = this.deps;
    switch (entry.kind) {
      case 'claim':
        return client.claim(entry.payload.token, entry.payload.tags, entry.deviceId);
      case 'set-tags':
        return client.setTags(entry.deviceId, entry.payload.tags);
      case 'block':
        return client.block(entry.deviceId);
      case 'unblock':
        return client.unblock(entry.deviceId);
      case 'unclaim':
        return client.unclaim(entry.deviceId);
      case 'tag-create':
        return client.createTag(entry.payload.tag, entry.payload.description);
      case 'tag-update':
        return client.updateTag(entry.payload.tag, {
          tag: entry.payload.to,
          description: entry.payload.description,
        });
      case 'tag-delete':
        return client.deleteTag(entry.payload.tag);
    }
  }
}
