import { mapBulkResult, type BulkRow } from '../core/bulk-result';
import { forEachLimit } from '../core/concurrency';
import { backoffDelay, judgeFailure, type RetryPolicy, type Stop } from '../core/retry-policy';
import type { ApiOutcome, ServiceDevice, ServiceTag } from '../core/service-model';
import { settledByTags, settleVerdict, type Observation } from '../core/settle';
import { ProvisioningClient, parseDevice } from '../adapters/api/provisioning-client';
import { toBulkCsv } from '../adapters/csv/bulk-csv';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { OutboxRepository, StoredEntry } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
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

/**
 * One sync run: settle what may already have happened, send what is due in order, then refresh the
 * local copy. Every state change is committed before the next request, so the run can be killed
 * at any moment and the next one carries on without losing or doubling a change.
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
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: SyncEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? defaultSleep;
  }

  async run(): Promise<SyncSummary> {
    const { outbox } = this.deps;
    // A run that died mid-request left entries 'sending': their outcome is unknown until asked.
    outbox.recoverInterrupted();
    const counts = outbox.counts();
    this.total = counts.pending;
    this.progress();
    this.summary.stopped = this.deps.readOnly
      ? {
          reason: 'forbidden',
          message: "This API key's role can only read (a viewer): changes wait for a key that may make them.",
        }
      : await this.drain();
    // A read-only (viewer) key may still list: the local copy is refreshed after a 403 too.
    if (!this.summary.stopped || this.summary.stopped.reason === 'forbidden') {
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

  /** Waits out a rate-limit pause if it ends soon enough; otherwise says the queue is paused. */
  private async waitForPause(): Promise<Stop | null> {
    const until = this.deps.pause.get();
    if (until === null || until <= this.now()) return null;
    if (until - this.now() > this.deps.maxWaitMs) {
      return {
        reason: 'rate-limited',
        message: `Rate limited by the service until ${new Date(until).toLocaleTimeString()}`,
      };
    }
    await this.sleep(until - this.now());
    return null;
  }

  private async drain(): Promise<Stop | null> {
    const { outbox } = this.deps;
    for (;;) {
      const paused = await this.waitForPause();
      if (paused) return paused;
      this.stop = null;
      const ready = outbox.ready(this.now());
      if (ready.length === 0) {
        const due = outbox.nextDueAt();
        if (due === null || due - this.now() > this.deps.maxWaitMs) return null;
        await this.sleep(Math.max(0, due - this.now()));
        continue;
      }
      const uncertain = ready.filter((e) => e.uncertain);
      if (uncertain.length > 0) {
        await this.settleAll(uncertain);
      } else {
        const sendable = this.holdBack(ready, await this.ensureTags(ready));
        const claims = sendable.filter((e) => e.kind === 'claim');
        const others = sendable.filter((e) => e.kind !== 'claim');
        // Two bulk requests in flight: one batch's answer is written while the next is on the wire.
        await forEachLimit(chunks(claims, this.deps.batchSize ?? 1000), 2, async (batch) => {
          if (!this.stop) await this.sendClaims(batch);
        });
        if (!this.stop) await this.sendEach(others);
      }
      // A 429 pauses the queue; the next turn of the loop waits it out or reports it.
      const stop = this.stopped();
      if (stop && stop.reason !== 'rate-limited') return stop;
    }
  }

  /** Read through a method: requests running in parallel set it while the loop awaits them. */
  private stopped(): Stop | null {
    return this.stop;
  }

  // ---- deciding an entry's fate ---------------------------------------------------------------

  private done(entry: StoredEntry, device?: ServiceDevice | null): void {
    if (device) this.deps.devices.upsert(device);
    this.deps.outbox.markDone(entry.id);
    this.summary.sent++;
    this.summary.succeeded++;
    this.progress();
  }

  private failed(entry: StoredEntry, message: string): void {
    this.deps.outbox.markFailed(entry.id, message);
    this.summary.sent++;
    this.summary.failed++;
    this.progress();
  }

  /**
   * Applies a failed call's verdict to an entry; a queue-wide problem stops the run. An entry that
   * was uncertain stays so whatever the failed look-up said: its own request may have been applied.
   */
  private failure(entry: StoredEntry, outcome: Exclude<ApiOutcome<unknown>, { kind: 'ok' }>): void {
    const verdict = judgeFailure(outcome);
    if (verdict.scope === 'entry' && verdict.action === 'fail' && !entry.uncertain)
      return this.failed(entry, verdict.message);
    const uncertain = entry.uncertain || ('maybeSent' in verdict && verdict.maybeSent);
    if (verdict.scope === 'entry') {
      const retryAt = this.now() + backoffDelay(entry.attempts + 1, this.deps.policy);
      this.deps.outbox.markPending(entry.id, verdict.message, { retryAt, uncertain });
      return;
    }
    this.deps.outbox.markPending(entry.id, verdict.stop.message, { uncertain });
    if (verdict.stop.reason === 'rate-limited') {
      this.deps.pause.set(this.now() + (verdict.stop.retryAfterMs ?? this.deps.policy.defaultRateLimitMs));
    }
    this.stop ??= verdict.stop;
  }

  // ---- settling entries whose outcome is unknown ----------------------------------------------

  private async observe(
    entry: StoredEntry,
  ): Promise<Observation | Exclude<ApiOutcome<unknown>, { kind: 'ok' }>> {
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
      if (this.stop) return;
      const seen = await this.observe(entry);
      if ('kind' in seen) return this.failure(entry, seen);
      const verdict = settleVerdict(entry, seen);
      const hint = conflictHint.get(entry.id);
      if (verdict.verdict === 'done') return this.done(entry, 'device' in seen ? seen.device : null);
      if (verdict.verdict === 'failed') return this.failed(entry, verdict.message);
      // Not there: for a claim the service called "already claimed", that means another team has it.
      if (hint && entry.kind === 'claim')
        return this.failed(entry, `Already claimed by another team (${hint})`);
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

  private tagFailure(failure: Exclude<ApiOutcome<unknown>, { kind: 'ok' }>): void {
    // The create may have happened without an answer: read the list again next round.
    this.serviceTags = null;
    const verdict = judgeFailure(failure);
    if (verdict.scope === 'queue') {
      this.stop ??= verdict.stop;
      if (verdict.stop.reason === 'rate-limited') {
        this.deps.pause.set(this.now() + (verdict.stop.retryAfterMs ?? this.deps.policy.defaultRateLimitMs));
      }
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
        { retryAt },
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
          unclear.push(entry);
          if (fate.hint) hints.set(entry.id, fate.hint);
        }
      }),
    );
    this.progress(true);
    await this.settleAll(unclear, hints);
  }

  private async sendEach(entries: StoredEntry[]): Promise<void> {
    await forEachLimit(entries, this.deps.concurrency ?? 4, async (entry) => {
      if (this.stop) return;
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
        return client.claim(entry.payload.token, entry.payload.tags);
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

  private async pull(): Promise<Stop | null> {
    const all: ServiceDevice[] = [];
    let next: string | null = null;
    do {
      const page = await this.deps.client.listDevicesPage(PAGE_LIMIT, next);
      if (page.kind !== 'ok') return this.pullFailed(page);
      all.push(...page.value.items);
      next = page.value.next;
    } while (next);
    this.deps.devices.replaceAll(all);
    const tags = await this.deps.client.listTags();
    if (tags.kind !== 'ok') return this.pullFailed(tags);
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

  private pullFailed(failure: Exclude<ApiOutcome<unknown>, { kind: 'ok' }>): Stop {
    const verdict = judgeFailure(failure);
    return verdict.scope === 'queue'
      ? verdict.stop
      : { reason: 'server-error', message: `Refreshing the device list failed: ${verdict.message}` };
  }
}
