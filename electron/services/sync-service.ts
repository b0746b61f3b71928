import type Database from 'better-sqlite3';
import { defaultRetryPolicy, type RetryPolicy } from '../core/retry-policy';
import { ProvisioningClient, type FetchLike } from '../adapters/api/provisioning-client';
import { write } from '../adapters/db/database';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import { Lease } from '../adapters/db/lease-repo';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
import type { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import type { SyncSummary } from '../shared/types';
import type { AppFlagsStore } from './app-flags';
import { AutoSync } from './auto-sync';
import type { EventBus, ServiceEvents } from './events';
import type { KeyService } from './key-service';
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
  private onlineNow: boolean | null = null;
  private auto: AutoSync | null = null;
  private lastSummary: SyncSummary | null = null;
  private lastLoggedStop: string | null = null;
  private closed = false;

  constructor(
    private readonly deps: SyncDeps,
    private readonly options: SyncOptions,
  ) {}

  /** Whether the API answered the last time it was asked; null before the first try. */
  get online(): boolean | null {
    return this.onlineNow;
  }

  get syncing(): boolean {
    return this.running !== null;
  }

  get lastSync(): SyncSummary | null {
    return this.lastSummary;
  }

  /** One sync at a time in this process: a second request while one runs gets the same result. */
  run(options: { batchSize?: number } = {}): Promise<SyncSummary> {
    const startedAt = new Date().toISOString();
    this.running ??= this.runOnce(options.batchSize ?? this.options.bulkBatchSize)
      .then((summary) => {
        this.lastSummary = summary;
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
    });
  }

  /**
   * Asks the API host whether it is reachable, and remembers the answer for the status bar. A
   * captive portal or proxy answering in its place counts as offline: the API is not reached.
   */
  async probe(): Promise<boolean> {
    const online = (await this.client('').reachable()) === 'reachable';
    this.setOnline(online);
    return online;
  }

  private setOnline(online: boolean): void {
    if (online === this.onlineNow) return;
    this.onlineNow = online;
    this.changed();
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
          const counts = this.deps.outbox.counts();
          return counts.pending + counts.sending > 0;
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

  private logSync(summary: SyncSummary, startedAt: string): void {
    const { log, outbox } = this.deps;
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
      for (const entry of outbox
        .list('failed')
        .filter((e) => e.updatedAt >= startedAt)
        .slice(-FAILED_ENTRIES_LOGGED))
        log.error('sync', `${entry.kind} ${entry.deviceId} failed: ${entry.lastError ?? 'no reason given'}`);
  }

  private async runOnce(batchSize: number | undefined): Promise<SyncSummary> {
    this.deps.settings.apiBase(); // refuses a forbidden URL before the keychain is even asked
    const apiKey = await this.deps.keys.forSync();
    if (!apiKey)
      return this.endWithoutSending({
        reason: 'no-key',
        message: 'No API key is stored: add one in Settings (or `fieldclaim key set`)',
      });
    // One sync per data folder: the desktop app and a CLI share it, and recovering another
    // process's entries in flight as "interrupted" would send them twice.
    const lease = new Lease(
      this.deps.db,
      'sync',
      this.options.processLabel ?? 'another Fieldclaim',
      SYNC_LEASE_MS,
    );
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
      return await this.sendAndRefresh(apiKey, batchSize, lease);
    } finally {
      clearInterval(renewal);
      if (!this.closed) lease.release();
    }
  }

  private endWithoutSending(stopped: NonNullable<SyncSummary['stopped']>): SyncSummary {
    const counts = this.deps.outbox.counts();
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
  ): Promise<SyncSummary> {
    const { db, flags, keys } = this.deps;
    const client = this.client(apiKey);
    // Once per stored key (every run for one from the environment, which can change unseen):
    // find out whether it may change anything before any change is sent.
    if (!flags.get('keyRoleChecked') || (await keys.status()).backend === 'env') {
      const mayChange = await client.keyMayChange();
      if (mayChange !== null) flags.set({ keyReadOnly: !mayChange, keyRoleChecked: true });
    }
    const summary = await new SyncRun({
      outbox: this.deps.outbox,
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
      onProgress: (progress) => this.deps.events.emit('syncProgress', progress),
    }).run();
    if (summary.stopped?.reason === 'forbidden') flags.set({ keyReadOnly: true });
    // An answer (even a refusal) means the API is reachable; none, or a stand-in's, means it is not.
    this.setOnline(summary.stopped?.reason !== 'offline' && summary.stopped?.reason !== 'not-api');
    return summary;
  }

  close(): void {
    this.closed = true;
    this.auto?.stop();
  }
}
