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
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
import { formatMoment } from '../shared/format-time';
import type { SyncProgress, SyncSummary } from '../shared/types';

export interface SyncEngineDeps {
  outbox: OutboxRepository;
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
  /** The key can only read: nothing is sent, the local copy is still refreshed. */
  readOnly?: boolean;
  /** Rows per bulk claim (the service's limit is unknown; Nordic's own tool splits at 1000). */
  batchSize?: number;
  concurrency?: number;
}

const PAGE_LIMIT = 100;
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
 * One sync run: settle what may already have happened, send what is due in order, then refresh the
 * local copy. Every state change is committed before the next request, so the run can be killed
 * at any moment and the next one carries on without losing or doubling a change. Every run ends:
 * on a queue-wide stop, after a stretch of rounds in which the service answered nothing definite,
 * when what is left waits longer than the run may, or at the run's time bound.
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
  private serviceTags: ServiceTag[] | null = null;
  /** Answers that settled something (done, failed, or "not there, send it") and failures, per round. */
  private definite = 0;
  private lastFailure: string | null = null;
  /** The run ended only because what is left waits for a retry later than it may wait. */
  private endedWaiting = false;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly deadline: number;

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? defaultSleep;
    this.deadline = this.now() + (deps.maxRunMs ?? Number.POSITIVE_INFINITY);
  }

  async run(): Promise<SyncSummary> {
    const { outbox } = this.deps;
    const counts = outbox.counts();
    this.total = counts.pending + counts.sending;
    this.progress();
    this.summary.stopped = this.deps.readOnly
      ? {
          reason: 'forbidden',
          message: "This API key's role can only read (a viewer): changes wait for a key that may make them.",
        }
      : await this.drain();
    // A read-only (viewer) key may still list: the local copy is refreshed after a 403 too, and
    // when what is left only waits for its retry (the service answers).
    if (!this.summary.stopped || this.summary.stopped.reason === 'forbidden' || this.endedWaiting) {
      this.summary.stopped = (await this.pull()) ?? this.summary.stopped;
    }
    const after = outbox.counts();
    this.summary.pending = after.pending + after.sending;
    this.summary.devices = this.deps.devices.count();
    this.current = null;
    this.progress(true);
    return this.summary;
  }

  private lastProgressAt = 0;

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

  /** Asked before every round and page: is the sync still this process's? */
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
    const left = this.deps.outbox.counts();
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
    const left = this.deps.outbox.counts();
    return {
      reason: 'server-error',
      message:
        `${plural(left.pending, 'change')} wait for a retry at ${formatMoment(due, this.now())}` +
        (this.lastFailure ? ` (${this.lastFailure})` : ''),
    };
  }

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
      const uncertain = ready.filter((e) => e.uncertain);
      if (uncertain.length > 0) {
        await this.settleAll(uncertain);
      } else {
        const sendable = this.holdBack(ready, await this.ensureTags(ready));
        const claims = sendable.filter((e) => e.kind === 'claim');
        const others = sendable.filter((e) => e.kind !== 'claim');
        // Two bulk requests in flight: one batch's answer is written while the next is on the wire.
        await forEachLimit(chunks(claims, this.deps.batchSize ?? 1000), 2, async (batch) => {
          if (!this.stop && !this.overTime()) await this.sendClaims(batch);
        });
        if (!this.stop) await this.sendEach(others);
      }
      // A 429 pauses the queue; the next turn of the loop waits it out or reports it.
      const stop = this.stopped();
      if (stop && stop.reason !== 'rate-limited') return stop;
      // A stretch of rounds where every answer was a failure: the service is down, or what answers is not it.
      fruitlessRounds =
        this.definite === definiteBefore && this.failures > failuresBefore ? fruitlessRounds + 1 : 0;
      if (fruitlessRounds >= policy.maxFailedRounds) {
        const left = outbox.counts();
        return {
          reason: 'server-error',
          message:
            `The service failed ${plural(fruitlessRounds, 'time')} in a row (${this.lastFailure ?? 'no answer it could stand behind'}); ` +
            `${plural(left.pending + left.sending, 'change')} wait. Sync again later.`,
        };
      }
    }
  }

  /** Read through a method: requests running in parallel set it while the loop awaits them. */
  private stopped(): Stop | null {
    return this.stop;
  }

  // ---- deciding an entry's fate ---------------------------------------------------------------

  private failures = 0;

  private done(entry: StoredEntry, device?: ServiceDevice | null): void {
    if (device) this.deps.devices.upsert(device);
    this.deps.outbox.markDone(entry.id);
    this.summary.sent++;
    this.summary.succeeded++;
    this.definite++;
    this.progress();
  }

  private failed(entry: StoredEntry, message: string): void {
    this.deps.outbox.markFailed(entry.id, message);
    this.summary.sent++;
    this.summary.failed++;
    this.definite++;
    this.progress();
  }

  private pauseFor(stop: Stop): void {
    if (stop.reason === 'rate-limited')
      this.deps.pause.set(this.now() + rateLimitPause(stop.retryAfterMs, this.deps.policy));
  }

  /**
   * Applies a failed call's verdict to an entry; a queue-wide problem stops the run. An entry that
   * was uncertain stays so whatever the failed call said: its own request may have been applied.
   * `lookedUp`: the call was a look-up for the entry, which counts as an attempt (its wait grows).
   */
  private failure(entry: StoredEntry, outcome: ApiFailure, lookedUp = false): void {
    const verdict = judgeFailure(outcome);
    if (verdict.scope === 'entry' && verdict.action === 'fail' && !entry.uncertain)
      return this.failed(entry, verdict.message);
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

  // ---- settling entries whose outcome is unknown ----------------------------------------------

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
      if ('kind' in seen) return this.failure({ ...entry, uncertain: true }, seen, true);
      const verdict = settleVerdict(entry, seen);
      const hint = conflictHint.get(entry.id);
      if (verdict.verdict === 'done') return this.done(entry, 'device' in seen ? seen.device : null);
      if (verdict.verdict === 'failed') return this.failed(entry, verdict.message);
      // Not there: for a claim the service called "already claimed", that means another team has it.
      if (hint && entry.kind === 'claim')
        return this.failed(entry, `Already claimed by another team (${hint})`);
      this.definite++;
      this.deps.outbox.markPending(entry.id, entry.lastError, { uncertain: false });
    });
  }

  // ---- sending --------------------------------------------------------------------------------

  /**
   * Creates the tags that queued claims and tag sets use but the service lacks (it wants them
   * defined first). Returns the tags that could not be created for a passing reason: entries that
   * need them wait, rather than fail for good with "undefined tag".
   */
  private async ensureTags(entries: StoredEntry[]): Promise<Set<string>> {
    const unavailable = new Set<string>();
    const needed = new Set(entries.flatMap(tagsNeeded));
    if (needed.size === 0) return unavailable;
    if (!this.serviceTags) {
      const listed = await this.deps.client.listTags();
      if (listed.kind !== 'ok') {
        this.tagFailure(listed);
        return needed;
      }
      this.serviceTags = listed.value;
    }
    const list = this.serviceTags;
    const known = new Set(list.map((t) => t.tag));
    for (const name of needed) {
      if (known.has(name)) continue;
      if (this.stop) {
        unavailable.add(name);
        continue;
      }
      const created = await this.deps.client.createTag(name, '');
      if (created.kind === 'ok' || (created.kind === 'rejected' && created.status === 409)) {
        const tag = (created.kind === 'ok' && created.value) || {
          id: null,
          tag: name,
          description: '',
          createdAt: null,
        };
        list.push(tag);
        this.deps.tags.upsert(tag);
      } else if (created.kind !== 'rejected') {
        // A 422 (say, too long) is left for the entries to fail with the service's own words.
        unavailable.add(name);
        this.tagFailure(created);
      }
    }
    return unavailable;
  }

  private tagFailure(failure: ApiFailure): void {
    // The create may have happened without an answer: read the list again next round.
    this.serviceTags = null;
    this.failures++;
    const verdict = judgeFailure(failure);
    if (verdict.scope === 'queue') {
      this.stop ??= verdict.stop;
      this.pauseFor(verdict.stop);
    } else {
      this.lastFailure = verdict.message;
    }
  }

  /** Entries held back until their tags exist: a short backoff, nothing counted against them. */
  private holdBack(entries: StoredEntry[], unavailable: Set<string>): StoredEntry[] {
    const sendable: StoredEntry[] = [];
    for (const entry of entries) {
      const missing = tagsNeeded(entry).find((t) => unavailable.has(t));
      if (missing === undefined) {
        sendable.push(entry);
        continue;
      }
      const retryAt = this.now() + backoffDelay(entry.attempts + 1, this.deps.policy);
      this.deps.outbox.markPending(
        entry.id,
        `Waiting for the tag "${missing}" to be created in the service`,
        { retryAt, attempted: true },
      );
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
      batch.forEach((e) => this.failure(e, outcome));
      return;
    }
    const fates = mapBulkResult(rows, outcome.status, outcome.value, parseDevice);
    const unclear: StoredEntry[] = [];
    const hints = new Map<string, string>();
    this.deps.transaction(() =>
      fates.forEach((fate, i) => {
        const entry = batch[i]!;
        if (fate.fate === 'done') this.done(entry, fate.device);
        else if (fate.fate === 'failed') this.failed(entry, fate.message);
        else {
          unclear.push({ ...entry, uncertain: true });
          if (fate.hint) hints.set(entry.id, fate.hint);
        }
      }),
    );
    this.progress(true);
    await this.settleAll(unclear, hints);
  }

  private async sendEach(entries: StoredEntry[]): Promise<void> {
    await forEachLimit(entries, this.deps.concurrency ?? 4, async (entry) => {
      if (this.stop || this.overTime()) return;
      this.deps.outbox.markSending([entry.id]);
      this.current = `${entry.kind} ${entry.deviceId}`;
      const outcome = await this.send(entry);
      if (outcome.kind === 'ok') {
        const value = outcome.value;
        if (value && 'tag' in value) this.deps.tags.upsert(value);
        return this.done(entry, value && 'deviceType' in value ? value : null);
      }
      // Answers that mean the change is already in effect, or need a look to tell.
      if (outcome.kind === 'rejected') {
        if (outcome.status === 409 && entry.kind === 'claim') {
          return this.settleAll([entry], new Map([[entry.id, outcome.message]]));
        }
        const alreadyInEffect =
          (outcome.status === 404 && (entry.kind === 'unclaim' || entry.kind === 'tag-delete')) ||
          (outcome.status === 409 && entry.kind === 'tag-create');
        if (alreadyInEffect) return this.done(entry);
      }
      this.failure(entry, outcome);
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

  // ---- refreshing the local copy --------------------------------------------------------------

  /** The whole list, or nothing: the local copy is never replaced by an answer that could not be read. */
  private async pull(): Promise<Stop | null> {
    const all: ServiceDevice[] = [];
    let next: string | null = null;
    do {
      const halt = this.leaseLost();
      if (halt) return halt;
      if (this.overTime())
        return {
          reason: 'time-limit',
          message:
            'This sync reached its time limit before the device list was refreshed; the next sync does it.',
        };
      const page = await this.deps.client.listDevicesPage(PAGE_LIMIT, next);
      if (page.kind !== 'ok') return this.pullFailed(page);
      all.push(...page.value.items);
      next = page.value.next;
    } while (next);
    const tags = await this.deps.client.listTags();
    if (tags.kind !== 'ok') return this.pullFailed(tags);
    this.deps.devices.replaceAll(all);
    this.deps.tags.replaceAll(tags.value);
    this.reapplyPendingTagChanges();
    return null;
  }

  /** The pulled list does not know what is still queued here: those changes stay on top until sent. */
  private reapplyPendingTagChanges(): void {
    for (const entry of this.deps.outbox.pendingTagChanges()) {
      if (entry.kind === 'tag-create')
        this.deps.tags.upsert({
          id: null,
          tag: entry.payload.tag,
          description: entry.payload.description,
          createdAt: null,
        });
      else if (entry.kind === 'tag-update')
        this.deps.tags.rename(entry.payload.tag, entry.payload.to, entry.payload.description);
      else if (entry.kind === 'tag-delete') this.deps.tags.delete(entry.payload.tag);
    }
  }

  private pullFailed(failure: ApiFailure): Stop {
    const verdict = judgeFailure(failure);
    if (verdict.scope === 'queue') {
      this.pauseFor(verdict.stop);
      return verdict.stop;
    }
    return { reason: 'server-error', message: `Refreshing the device list failed: ${verdict.message}` };
  }
}
