import type Database from 'better-sqlite3';
import { defaultRetryPolicy, type RetryPolicy } from '../core/retry-policy';
import { ProvisioningClient, type FetchLike, type Reachability } from '../adapters/api/provisioning-client';
import { write } from '../adapters/db/database';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import { Lease } from '../adapters/db/lease-repo';
import type { OutboxQueries } from '../adapters/db/outbox-queries';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
import type { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import type { ApiTraffic, SyncStopReason, SyncSummary } from '../shared/types';
import type { AppFlagsStore } from './app-flags';
import { AutoSync } from './auto-sync';
import type { EventBus, ServiceEvents } from './events';
import type { KeyService } from './key-service';
import type { RefreshService } from './refresh-service';
import type { SettingsService } from './settings-service';
import { SyncRun } from './sync-engine';

/** The sync lease lapses this long after its holder stops renewing it (a frozen or killed process). */
const SYNC_LEASE_MS = 60_000;
const DEFAULT_SYNC_MAX_RUN_MS = 15 * 60_000;
/** Failed entries of one sync written to the log one by one; the count is always logged. */
const FAILED_ENTRIES_LOGGED = 20;

export interface SyncOptions {
  /** Electron passes its own network stack (system proxy); Node uses global fetch. */
  fetch?: FetchLike;
  userAgent: string;
  retryPolicy?: RetryPolicy;
  /**
   * How long one sync may wait for backoff or a rate-limit pause before returning. The CLI waits;
   * the desktop app returns at once and its scheduler comes back when the wait is over.
   */
  syncMaxWaitMs?: number;
  /** How long one sync run may take in all (default 15 minutes); the rest goes out on the next. */
  syncMaxRunMs?: number;
  /** Per request, including its answer's body (default 30 s). */
  requestTimeoutMs?: number;
  /** Rows per bulk claim request. */
  bulkBatchSize?: number;
  /** Who this process is, in words another process can show ("the desktop app", "the command line"). */
  processLabel?: string;
}

export interface SyncDeps {
  db: Database.Database;
  outbox: OutboxRepository;
  queries: OutboxQueries;
  refresh: RefreshService;
  devices: DevicesRepository;
  tags: TagsRepository;
  settings: SettingsService;
  keys: KeyService;
  flags: AppFlagsStore;
  log: DiagnosticsLog;
  events: EventBus<ServiceEvents>;
}

/** Sending the outbox: one run at a time per data folder, the connection state, and auto sync. */
export class SyncService {
  private running: Promise<SyncSummary> | null = null;
  private reachabilityNow: Reachability | null = null;
  private lastEndedAt: number | null = null;
  private auto: AutoSync | null = null;
  private lastSummary: SyncSummary | null = null;
  private lastLoggedStop: string | null = null;
  private closed = false;
  private refreshAbort: AbortController | null = null;
  /** Every request this process made to the API, and the bytes of the answers. */
  readonly traffic: ApiTraffic = { requests: 0, bytes: 0 };

  constructor(
    private readonly deps: SyncDeps,
    private readonly options: SyncOptions,
  ) {}

  /** Whether the API answered the last time it was asked; null before the first try. */
  get online(): boolean | null {
    return this.reachabilityNow === null ? null : this.reachabilityNow === 'reachable';
  }

  /** How the API host answered the last time: itself, nothing, or a web page in its place. */
  get reachability(): Reachability | null {
    return this.reachabilityNow;
  }

  /** When the last sync ended, whoever started it (ms since epoch). */
  get lastSyncAt(): number | null {
    return this.lastEndedAt;
  }

  get syncing(): boolean {
    return this.running !== null;
  }

  get lastSync(): SyncSummary | null {
    return this.lastSummary;
  }

  /**
   * One sync at a time in this process: a second request while one runs gets the same result.
   * `refresh`: refresh the local device list whether or not it is due.
   */
  run(options: { batchSize?: number; refresh?: boolean } = {}): Promise<SyncSummary> {
    const startedAt = new Date().toISOString();
    this.running ??= this.runOnce(options.batchSize ?? this.options.bulkBatchSize, options.refresh ?? false)
      .then((summary) => {
        this.lastSummary = summary;
        this.lastEndedAt = Date.now();
        this.logSync(summary, startedAt);
        return summary;
      })
      .finally(() => {
        this.running = null;
        this.changed();
      });
    this.changed();
    return this.running;
  }

  private changed(): void {
    if (!this.closed) this.deps.events.emit('changed', undefined);
  }

  private client(apiKey: string): ProvisioningClient {
    return new ProvisioningClient({
      baseUrl: this.deps.settings.apiBase(),
      apiKey,
      userAgent: this.options.userAgent,
      fetch: this.options.fetch,
      timeoutMs: this.options.requestTimeoutMs,
      traffic: this.traffic,
    });
  }

  /**
   * Asks the API host whether it is reachable, and remembers the answer for the status bar. A
   * captive portal or proxy answering in its place counts as offline: the API is not reached.
   */
  async probe(): Promise<boolean> {
    const reachability = await this.client('').reachable();
    this.setReachability(reachability);
    return reachability === 'reachable';
  }

  private setOnline(online: boolean): void {
    // A plain "offline" does not overwrite the more telling "a web page answers in its place".
    if (!online && this.reachabilityNow === 'intercepted') return;
    this.setReachability(online ? 'reachable' : 'unreachable');
  }

  private setReachability(reachability: Reachability): void {
    if (reachability === this.reachabilityNow) return;
    this.reachabilityNow = reachability;
    this.changed();
  }

  /**
   * A new key was stored: a refusal of the old one no longer stands (the window stops saying so at
   * once, not after the next sync), and the new key is worth trying now.
   */
  keyChanged(): void {
    const reason = this.lastSummary?.stopped?.reason;
    if (reason === 'key-rejected' || reason === 'forbidden' || reason === 'no-key') {
      this.lastSummary = null;
      this.changed();
    }
    this.poke();
  }

  /** The rate-limit pause still in force, if any. */
  pausedUntil(): number | null {
    return this.deps.flags.pausedUntil();
  }

  /**
   * Starts syncing on its own (the desktop app): on start-up (which settles anything a crash left
   * half-sent), when the API becomes reachable, and when backoff or a rate-limit pause ends.
   */
  startAuto(probeIntervalMs = 30_000): void {
    this.auto ??= new AutoSync(
      {
        probe: () => this.probe(),
        sync: () => this.run(),
        hasWork: () => {
          const counts = this.deps.queries.counts();
          // A device list older than the refresh setting is work too (it is refreshed in the background).
          return counts.pending + counts.sending > 0 || this.deps.refresh.isDue();
        },
        nextDueAt: () => {
          const times = [this.deps.outbox.nextDueAt(), this.pausedUntil()].filter(
            (t): t is number => t !== null,
          );
          return times.length ? Math.min(...times) : null;
        },
        setOnline: (online) => this.setOnline(online),
        failed: (message) => this.deps.log.error('auto sync', message),
      },
      { probeIntervalMs },
    );
    this.auto.start();
  }

  /** Resume from sleep, a network change, a new key: look again now. */
  poke(): void {
    this.auto?.poke();
  }

  /** Work was queued: sync once reads stop coming for a moment, not once per board. */
  workQueued(): void {
    this.auto?.pokeSoon();
  }

  private logSync(summary: SyncSummary, startedAt: string): void {
    const { log, queries } = this.deps;
    if (summary.sent === 0 && !summary.stopped) return; // nothing to do is nothing to tell
    // Auto sync meets the same stop (no key, a refused key) every half minute: once is enough.
    const stop = summary.stopped ? `${summary.stopped.reason}: ${summary.stopped.message}` : null;
    if (stop !== null && stop === this.lastLoggedStop && summary.sent === 0) return;
    this.lastLoggedStop = stop;
    const counts = `${summary.succeeded} of ${summary.sent} sent succeeded, ${summary.failed} failed, ${summary.pending} pending`;
    if (summary.stopped)
      log.error('sync', `stopped (${summary.stopped.reason}): ${summary.stopped.message}; ${counts}`);
    else log[summary.failed ? 'warn' : 'info']('sync', counts);
    if (summary.failed)
      for (const entry of queries.failedSince(startedAt, FAILED_ENTRIES_LOGGED))
        log.error('sync', `${entry.kind} ${entry.deviceId} failed: ${entry.lastError ?? 'no reason given'}`);
  }

  private async runOnce(batchSize: number | undefined, refresh: boolean): Promise<SyncSummary> {
    this.deps.settings.apiBase(); // refuses a forbidden URL before the keychain is even asked
    const apiKey = await this.deps.keys.forSync();
    if (!apiKey)
      return this.endWithoutSending({
        reason: 'no-key',
        message: 'No API key is stored: add one in Settings',
      });
    const lease = this.syncLease();
    const held = lease.acquire();
    if (!held.ok)
      return this.endWithoutSending({
        reason: 'sync-busy',
        message: `A sync is already running (${held.holder.label}, pid ${held.holder.pid}): its changes go out with it.`,
      });
    // Long requests keep the event loop free; the lease is renewed meanwhile, not only between them.
    const renewal = setInterval(() => lease.renew(), SYNC_LEASE_MS / 3);
    renewal.unref();
    try {
      // A run that died mid-request left entries 'sending': their outcome is unknown until asked.
      this.deps.outbox.recoverInterrupted();
      this.archiveFinished();
      return await this.sendAndRefresh(apiKey, batchSize, lease, refresh);
    } finally {
      clearInterval(renewal);
      if (!this.closed) lease.release();
    }
  }

  /**
   * One sync per data folder: the desktop app and a CLI share it, and recovering another process's
   * entries in flight as "interrupted" would send them twice. A refresh takes it too.
   */
  private syncLease(): Lease {
    return new Lease(this.deps.db, 'sync', this.options.processLabel ?? 'another Fieldclaim', SYNC_LEASE_MS);
  }

  /** Entries done longer ago than the retention setting leave the outbox for the archive. */
  private archiveFinished(): void {
    const days = this.deps.settings.get().retentionDays;
    const moved = this.deps.outbox.archiveDone(new Date(Date.now() - days * 86_400_000).toISOString());
    if (moved) this.deps.log.info('sync', `${moved} finished entries older than ${days} days archived`);
  }

  private endWithoutSending(stopped: NonNullable<SyncSummary['stopped']>): SyncSummary {
    const counts = this.deps.queries.counts();
    return {
      sent: 0,
      succeeded: 0,
      failed: 0,
      pending: counts.pending + counts.sending,
      devices: this.deps.devices.count(),
      stopped,
    };
  }

  private async sendAndRefresh(
    apiKey: string,
    batchSize: number | undefined,
    lease: Lease,
    forceRefresh: boolean,
  ): Promise<SyncSummary> {
    const { db, flags, keys } = this.deps;
    const client = this.client(apiKey);
    // Once per stored key (every run for one from the environment, which can change unseen):
    // find out whether it may change anything before any change is sent.
    if (!flags.get('keyRoleChecked') || (await keys.status()).backend === 'env') {
      const mayChange = await client.keyMayChange();
      if (mayChange !== null) flags.set({ keyReadOnly: !mayChange, keyRoleChecked: true });
    }
    const run = new SyncRun({
      outbox: this.deps.outbox,
      queries: this.deps.queries,
      devices: this.deps.devices,
      tags: this.deps.tags,
      client,
      pause: {
        get: () => flags.get('pausedUntil'),
        set: (until) => flags.set({ pausedUntil: until }),
      },
      policy: this.options.retryPolicy ?? defaultRetryPolicy,
      transaction: (work) => write(db, work),
      maxWaitMs: this.options.syncMaxWaitMs ?? 0,
      maxRunMs: this.options.syncMaxRunMs ?? DEFAULT_SYNC_MAX_RUN_MS,
      lease,
      batchSize,
      readOnly: flags.get('keyReadOnly'),
      onProgress: (progress) => {
        // Entries settled means the service answered: the window says online during the run, not after it.
        if (progress.sent > 0) this.setReachability('reachable');
        this.deps.events.emit('syncProgress', progress);
      },
    });
    const summary = await run.run();
    // The local copy follows the answers; the list itself is pulled only when it is due (or asked for),
    // and only when the service answers (a viewer's key may still read).
    const answering = !summary.stopped || summary.stopped.reason === 'forbidden' || run.endedWaiting;
    if (answering && (forceRefresh || this.deps.refresh.isDue())) {
      const deadline = Date.now() + (this.options.syncMaxRunMs ?? DEFAULT_SYNC_MAX_RUN_MS);
      const refreshed = await this.refreshWith(client, () =>
        !lease.renew()
          ? { reason: 'sync-busy', message: 'Another Fieldclaim took over the sync of this data folder.' }
          : Date.now() >= deadline
            ? {
                reason: 'time-limit',
                message:
                  'The refresh of the device list reached its time limit; the next sync goes on with it.',
              }
            : null,
      );
      summary.stopped = refreshed.stopped ?? summary.stopped;
      summary.devices = this.deps.devices.count();
    }
    if (summary.stopped?.reason === 'forbidden') flags.set({ keyReadOnly: true });
    // An answer (even a refusal) means the API is reachable; none, or a stand-in's, means it is not.
    this.setReachability(reachabilityAfter(summary.stopped?.reason));
    return summary;
  }

  private async refreshWith(
    client: ProvisioningClient,
    mayGoOn: () => NonNullable<SyncSummary['stopped']> | null,
  ) {
    this.refreshAbort = new AbortController();
    try {
      return await this.deps.refresh.run(client, { signal: this.refreshAbort.signal, mayGoOn });
    } finally {
      this.refreshAbort = null;
    }
  }

  /**
   * Refreshes the local device list now, apart from any sync (the Refresh button, `devices --refresh`):
   * it resumes a pass left unfinished, and holds the sync lease while it runs.
   */
  async refreshNow(): Promise<{ cancelled: boolean; stopped: SyncSummary['stopped'] }> {
    const apiKey = await this.deps.keys.forSync();
    if (!apiKey)
      return {
        cancelled: false,
        stopped: { reason: 'no-key', message: 'No API key is stored: add one in Settings.' },
      };
    const lease = this.syncLease();
    const held = lease.acquire();
    if (!held.ok)
      return {
        cancelled: false,
        stopped: {
          reason: 'sync-busy',
          message: `A sync is already running (${held.holder.label}, pid ${held.holder.pid}): it refreshes the list when it is due.`,
        },
      };
    try {
      const outcome = await this.refreshWith(this.client(apiKey), () =>
        lease.renew() ? null : { reason: 'sync-busy', message: 'Another Fieldclaim took over the sync.' },
      );
      this.setReachability(reachabilityAfter(outcome.stopped?.reason));
      return outcome;
    } finally {
      if (!this.closed) lease.release();
    }
  }

  /** Stops a refresh between two pages; what it got so far is kept, and the next one resumes. */
  cancelRefresh(): { cancelled: boolean } {
    if (!this.refreshAbort) return { cancelled: false };
    this.refreshAbort.abort();
    return { cancelled: true };
  }

  close(): void {
    this.closed = true;
    this.refreshAbort?.abort();
    this.auto?.stop();
  }
}

/** What a run's end says of the API host: an answer (even a refusal) means it is there. */
function reachabilityAfter(reason: SyncStopReason | undefined): Reachability {
  if (reason === 'offline') return 'unreachable';
  if (reason === 'not-api') return 'intercepted';
  return 'reachable';
}
