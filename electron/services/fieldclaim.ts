import { arch, platform, release, version as osVersion } from 'node:os';
import { basename, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { RawPort } from '../core/boards';
import { deviceTypeName } from '../core/token';
import { toSiteReportCsv } from '../adapters/csv/report-csv';
import { readTokenBytes, readTokenFile } from '../adapters/csv/token-file';
import { readTokenFileOnThread, type StartTokenFileThread } from '../adapters/csv/token-file-thread';
import { ProvisioningClient, type FetchLike } from '../adapters/api/provisioning-client';
import { openDatabase, write } from '../adapters/db/database';
import { DevicesRepository, type DeviceRead } from '../adapters/db/devices-repo';
import { OutboxRepository } from '../adapters/db/outbox-repo';
import { Lease } from '../adapters/db/lease-repo';
import { withoutPayload } from '../core/outbox-entry';
import { SettingsRepository } from '../adapters/db/settings-repo';
import { TagsRepository } from '../adapters/db/tags-repo';
import { defaultRetryPolicy, type RetryPolicy } from '../core/retry-policy';
import { KeyStore, keytarBackend, type SecretBackend } from '../adapters/secrets/key-store';
import { listSerialPorts } from '../adapters/serial/port-list';
import { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import { CodedError } from '../shared/result';
import type {
  AppStatus,
  ClaimedDevice,
  DeviceFields,
  EntryKind,
  EntryState,
  ImportPreview,
  ImportResult,
  KeyStatus,
  OutboxEntry,
  PortInfo,
  PortTile,
  ScanResult,
  Settings,
  SyncProgress,
  SyncSummary,
} from '../shared/types';
import { CaptureService, type ReadRequest } from './capture-service';
import { ImportService } from './import-service';
import { SettingsService } from './settings-service';
import { StationService } from './station-service';
import { about, type About, type BuildInfo } from './about';
import { AutoSync } from './auto-sync';
import { ChangesService } from './changes-service';
import { SyncRun } from './sync-engine';
import { formatDiagnostics, REPORT_LINES } from './diagnostics';

/** A device with the changes queued here shown on top of what the service last said. */
function withPending(
  device: DeviceFields,
  pending: Map<string, { kinds: EntryKind[]; tags: string[] | null }>,
): ClaimedDevice {
  const changes = pending.get(device.id);
  return { ...device, pending: changes?.kinds ?? [], pendingTags: changes?.tags ?? null };
}

/** Failed entries of one sync written to the log one by one; the count is always logged. */
const FAILED_ENTRIES_LOGGED = 20;

/** The sync lease lapses this long after its holder stops renewing it (a frozen or killed process). */
const SYNC_LEASE_MS = 60_000;
const DEFAULT_SYNC_MAX_RUN_MS = 15 * 60_000;

const readOnlyKeyReason =
  "This API key's role can only read (a viewer): changes are not possible with it. Store a key with the editor, admin or owner role in Settings.";

export interface FieldclaimOptions {
  dataDir: string;
  /** An API key from the environment (headless stations, CI); wins over the keychain. */
  envApiKey?: string | null;
  secretBackend?: SecretBackend;
  /** Electron passes its own network stack (system proxy); Node uses global fetch. */
  fetch?: FetchLike;
  settingsOverrides?: Partial<Settings>;
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
  /** Who this process is, in words another process can show ("the desktop app", "the command line"). */
  processLabel?: string;
  /** Rows per bulk claim request. */
  bulkBatchSize?: number;
  /** Version and commit of this build, and where packaged resources live (null when unpackaged). */
  build?: BuildInfo;
  resourcesPath?: string | null;
  /** Lists serial ports; tests stand in for USB enumeration, which ptys cannot imitate. */
  listPorts?: () => Promise<RawPort[]>;
  /** Reads imported files on a worker thread while this one queues them (the CLI's imports). */
  startTokenFileThread?: StartTokenFileThread;
}

export interface FieldclaimEvents {
  syncProgress: SyncProgress;
  statusChanged: AppStatus;
  stationChanged: PortTile[];
  importProgress: { fraction: number };
}

type Listener<T> = (payload: T) => void;

/** Every capability of the app, without Electron: the desktop app, the CLI and the tests share it. */
export class Fieldclaim {
  private readonly db: Database.Database;
  private readonly outbox: OutboxRepository;
  private readonly devicesRepo: DevicesRepository;
  readonly settings: SettingsService;
  private readonly keys: KeyStore;
  private readonly capture: CaptureService;
  private readonly settingsRepo: SettingsRepository;
  private readonly tagsRepo: TagsRepository;
  readonly changes: ChangesService;
  readonly station: StationService;
  readonly imports: ImportService;
  /** What support sees when a technician saves diagnostics; no key, no whole token. */
  readonly log: DiagnosticsLog;
  private readonly listeners: { [K in keyof FieldclaimEvents]: Set<Listener<FieldclaimEvents[K]>> } = {
    syncProgress: new Set(),
    statusChanged: new Set(),
    stationChanged: new Set(),
    importProgress: new Set(),
  };
  private syncing: Promise<SyncSummary> | null = null;
  private online: boolean | null = null;
  private autoSync: AutoSync | null = null;
  private closed = false;
  private lastSync: SyncSummary | null = null;
  private lastLoggedStop: string | null = null;

  constructor(private readonly options: FieldclaimOptions) {
    this.db = openDatabase(options.dataDir);
    this.log = new DiagnosticsLog(join(options.dataDir, 'logs'));
    this.log.addSecret(options.envApiKey ?? null);
    this.outbox = new OutboxRepository(this.db);
    this.devicesRepo = new DevicesRepository(this.db);
    this.settingsRepo = new SettingsRepository(this.db);
    this.tagsRepo = new TagsRepository(this.db);
    this.settings = new SettingsService(this.settingsRepo, options.settingsOverrides);
    this.changes = new ChangesService(
      this.db,
      this.outbox,
      this.tagsRepo,
      this.devicesRepo,
      () => this.statusChanged(),
      () => (this.keyReadOnly() ? readOnlyKeyReason : null),
    );
    this.keys = new KeyStore(options.secretBackend ?? keytarBackend(), options.envApiKey ?? null);
    this.capture = new CaptureService(this.db, this.outbox, this.devicesRepo, this.settings);
    this.imports = new ImportService(this.outbox, () => this.settings.get().siteTags);
    this.station = new StationService({
      listPorts: options.listPorts ?? listSerialPorts,
      read: async (request) => {
        const result = await this.capture.read(request);
        this.statusChanged();
        return result;
      },
      siteTags: () => this.settings.get().siteTags,
      onChange: (tiles) => this.emit('stationChanged', tiles),
    });
  }

  on<K extends keyof FieldclaimEvents>(event: K, listener: Listener<FieldclaimEvents[K]>): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  private emit<K extends keyof FieldclaimEvents>(event: K, payload: FieldclaimEvents[K]): void {
    for (const listener of this.listeners[event]) listener(payload);
  }

  /** Pushes the new status to listeners; best effort, and never after close(). */
  private statusChanged(): void {
    if (this.closed || this.listeners.statusChanged.size === 0) return;
    this.status().then(
      (status) => {
        if (!this.closed) this.emit('statusChanged', status);
      },
      (err: unknown) => this.log.warn('status', `could not push the status: ${(err as Error).message}`),
    );
  }

  async status(): Promise<AppStatus> {
    // Database reads first, synchronously: the keychain's await must not straddle a close().
    const settings = this.settings.get();
    let apiBase: string;
    try {
      apiBase = this.settings.apiBase();
    } catch (err) {
      apiBase = `refused: ${(err as Error).message}`;
    }
    const local = {
      stage: settings.stage,
      apiBase,
      outbox: this.outbox.counts(),
      devices: this.devicesRepo.count(),
      devicesPulledAt: this.devicesRepo.lastPulledAt(),
      lastSync: this.lastSync,
      syncing: this.syncing !== null,
      online: this.online,
      pausedUntil: this.pausedUntil(),
      keyReadOnly: this.keyReadOnly(),
    };
    return { key: await this.keys.status(), ...local };
  }

  listPorts(): Promise<PortInfo[]> {
    return this.station.listPorts();
  }

  readPort(request: ReadRequest): Promise<ScanResult> {
    return this.station.read(request);
  }

  queue(state: EntryState | 'all' = 'all'): OutboxEntry[] {
    return this.outbox.list(state).map(withoutPayload);
  }

  retry(id: string | 'all-failed'): { requeued: number } {
    const requeued = this.outbox.retry(id);
    this.statusChanged();
    return { requeued };
  }

  discard(id: string): { discarded: number } {
    const discarded = this.outbox.discard(id);
    if (discarded === 0 && !this.outbox.get(id)) throw new CodedError('not-found', `No outbox entry ${id}`);
    this.statusChanged();
    return { discarded };
  }

  /** The local copy with every change still waiting shown on top (the service's state stays underneath). */
  devices(filter: { search?: string } = {}): ClaimedDevice[] {
    const pending = this.outbox.pendingChangesByDevice();
    return this.devicesRepo.list(filter).map((d) => withPending(d, pending));
  }

  /**
   * Reads a token file from disk and queues it whole (the CLI); progress as a fraction read. With a
   * worker thread, this thread is busy writing until the file is queued: the desktop app previews
   * and commits instead.
   */
  async importFile(
    path: string,
    tags: string[],
    onProgress?: (fraction: number) => void,
  ): Promise<ImportResult> {
    const start = this.options.startTokenFileThread;
    let result: ImportResult;
    if (start) {
      const reading = await readTokenFileOnThread(start, path, this.imports.tagsForEveryRow(tags));
      try {
        result = this.whileImporting(() => this.imports.queueBatches(reading, onProgress));
      } finally {
        reading.close();
      }
    } else {
      const parsed = await readTokenFile(path, onProgress);
      result = this.whileImporting(() => this.imports.commit(parsed, tags));
    }
    this.imported(basename(path), result);
    return result;
  }

  /** A file picked, dropped or pasted in the UI: checked and counted, nothing queued yet. */
  async previewImport(name: string, bytes: Uint8Array): Promise<ImportPreview> {
    return this.imports.preview(
      await readTokenBytes(bytes, name, (fraction) => this.emit('importProgress', { fraction })),
    );
  }

  /** Another process that has to wait for the import's write can say who it waits for. */
  private whileImporting<T>(work: () => T): T {
    const note = new Lease(
      this.db,
      `import:${process.pid}`,
      this.options.processLabel ?? 'another Fieldclaim',
      600_000,
    );
    note.acquire();
    try {
      return work();
    } finally {
      note.release();
    }
  }

  commitImport(id: string, tags: string[]): ImportResult {
    const result = this.whileImporting(() => this.imports.commitPreview(id, tags));
    this.imported('a previewed file', result);
    return result;
  }

  private imported(file: string, result: ImportResult): void {
    const rejected = result.rejected.length;
    this.log[rejected ? 'warn' : 'info'](
      'import',
      `${file}: ${result.queued} queued, ${result.duplicates} duplicate, ${rejected} rejected` +
        (rejected ? ` (first: row ${result.rejected[0]!.row}, ${result.rejected[0]!.reason})` : ''),
    );
    this.statusChanged();
  }

  /** The report a technician saves for support (Settings, or `fieldclaim diagnostics`). */
  async diagnostics(): Promise<{ filename: string; text: string }> {
    const savedAt = new Date().toISOString();
    const text = formatDiagnostics({
      savedAt,
      about: this.about(),
      runtime: {
        os: `${platform()} ${release()} ${arch()} (${osVersion()})`,
        node: process.versions.node,
        electron: process.versions.electron ?? null,
      },
      status: await this.status(),
      entries: this.log.recent(REPORT_LINES),
    });
    return { filename: `fieldclaim-diagnostics-${savedAt.slice(0, 10)}.txt`, text };
  }

  exportQueue(): { rows: number; csv: string } {
    return this.imports.exportQueue();
  }

  /** Every device dealt with here: what was read, where and when, and how its claim stands. */
  siteReport(): { rows: number; csv: string } {
    const rows = this.devicesRepo.siteReport().map((r) => ({
      deviceId: r.id,
      imei: r.imei,
      deviceType: r.serviceType ?? (r.readType === null ? null : deviceTypeName(r.readType)),
      model: r.model,
      firmware: r.firmware,
      tags: JSON.parse(r.tags ?? r.claimTags ?? '[]') as string[],
      claimState: r.claimState ?? 'read only',
      claimedAt: r.claimedAt,
      readAt: r.readAt,
      port: r.port,
      site: r.site ?? '',
    }));
    return { rows: rows.length, csv: `${toSiteReportCsv(rows)}\n` };
  }

  about(): About {
    return about(this.options.build ?? { version: 'development', commit: 'unknown' }, {
      platform: process.platform,
      resourcesPath: this.options.resourcesPath ?? null,
    });
  }

  /** One device in full: the service's attributes, where and when its token was read, its queued changes. */
  deviceDetail(id: string): {
    device: ClaimedDevice | null;
    raw: unknown;
    reads: DeviceRead[];
    changes: OutboxEntry[];
  } {
    // One device through its index: the detail view must not rebuild the list of 100,000.
    const row = this.devicesRepo.get(id);
    return {
      device: row && withPending(row, this.outbox.pendingChangesByDevice(id)),
      raw: this.devicesRepo.raw(id),
      reads: this.devicesRepo.reads(id),
      changes: this.outbox.unsettledFor(id).map(withoutPayload),
    };
  }

  /** The team's tags with how many devices in the local copy carry each. */
  tags(): Array<{ tag: string; description: string; devices: number }> {
    const carried = new Map<string, number>();
    for (const device of this.devicesRepo.list())
      for (const t of device.tags) carried.set(t, (carried.get(t) ?? 0) + 1);
    return this.tagsRepo
      .list()
      .map((t) => ({ tag: t.tag, description: t.description, devices: carried.get(t.tag) ?? 0 }));
  }

  keyStatus(): Promise<KeyStatus> {
    return this.keys.status();
  }

  async setKey(key: string): Promise<KeyStatus> {
    this.log.addSecret(key.trim());
    const status = await this.keys.set(key.trim());
    this.settingsRepo.write({ keyReadOnly: false, keyRoleChecked: false });
    this.statusChanged();
    this.pokeAutoSync();
    return status;
  }

  async clearKey(): Promise<KeyStatus> {
    const status = await this.keys.clear();
    this.settingsRepo.write({ keyReadOnly: false, keyRoleChecked: false });
    this.statusChanged();
    return status;
  }

  updateSettings(change: Partial<Settings>): Settings {
    const settings = this.settings.update(change);
    this.statusChanged();
    return settings;
  }

  /** One sync at a time: a second request while one runs gets the same result. */
  sync(options: { batchSize?: number } = {}): Promise<SyncSummary> {
    const startedAt = new Date().toISOString();
    this.syncing ??= this.runSync(options.batchSize)
      .then((summary) => {
        this.logSync(summary, startedAt);
        return summary;
      })
      .finally(() => {
        this.syncing = null;
        this.statusChanged();
      });
    this.statusChanged();
    return this.syncing;
  }

  private client(apiKey: string): ProvisioningClient {
    return new ProvisioningClient({
      baseUrl: this.settings.apiBase(),
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
    if (online === this.online) return;
    this.online = online;
    this.statusChanged();
  }

  /**
   * Starts syncing on its own (the desktop app): on start-up (which settles anything a crash left
   * half-sent), when the API becomes reachable, and when backoff or a rate-limit pause ends.
   */
  startAutoSync(probeIntervalMs = 30_000): void {
    this.autoSync ??= new AutoSync(
      {
        probe: () => this.probe(),
        sync: () => this.sync(),
        hasWork: () => {
          const counts = this.outbox.counts();
          return counts.pending + counts.sending > 0;
        },
        nextDueAt: () => {
          const times = [this.outbox.nextDueAt(), this.pausedUntil()].filter((t): t is number => t !== null);
          return times.length ? Math.min(...times) : null;
        },
        setOnline: (online) => this.setOnline(online),
        failed: (message) => this.log.error('auto sync', message),
      },
      { probeIntervalMs },
    );
    this.autoSync.start();
  }

  /** Resume from sleep, a network change, a new key: look again now. */
  pokeAutoSync(): void {
    this.autoSync?.poke();
  }

  /** The service refused a change with 403: this key's role can only read (a viewer). */
  keyReadOnly(): boolean {
    return this.settingsRepo.read<boolean>('keyReadOnly') ?? false;
  }

  /** When a 429 paused the whole queue until (ms since epoch), kept across restarts. */
  pausedUntil(): number | null {
    const until = this.settingsRepo.read<number | null>('pausedUntil') ?? null;
    return until !== null && until > Date.now() ? until : null;
  }

  private logSync(summary: SyncSummary, startedAt: string): void {
    if (summary.sent === 0 && !summary.stopped) return; // nothing to do is nothing to tell
    // Auto sync meets the same stop (no key, a refused key) every half minute: once is enough.
    const stop = summary.stopped ? `${summary.stopped.reason}: ${summary.stopped.message}` : null;
    if (stop !== null && stop === this.lastLoggedStop && summary.sent === 0) return;
    this.lastLoggedStop = stop;
    const counts = `${summary.succeeded} of ${summary.sent} sent succeeded, ${summary.failed} failed, ${summary.pending} pending`;
    if (summary.stopped)
      this.log.error('sync', `stopped (${summary.stopped.reason}): ${summary.stopped.message}; ${counts}`);
    else this.log[summary.failed ? 'warn' : 'info']('sync', counts);
    if (summary.failed)
      for (const entry of this.outbox
        .list('failed')
        .filter((e) => e.updatedAt >= startedAt)
        .slice(-FAILED_ENTRIES_LOGGED))
        this.log.error(
          'sync',
          `${entry.kind} ${entry.deviceId} failed: ${entry.lastError ?? 'no reason given'}`,
        );
  }

  private async runSync(batchSize = this.options.bulkBatchSize): Promise<SyncSummary> {
    this.settings.apiBase(); // refuses a forbidden URL before the keychain is even asked
    const apiKey = await this.keys.get();
    this.log.addSecret(apiKey);
    if (!apiKey)
      return this.endWithoutSending({
        reason: 'no-key',
        message: 'No API key is stored: add one in Settings (or `fieldclaim key set`)',
      });
    // One sync per data folder: the desktop app and a CLI share it, and recovering another
    // process's entries in flight as "interrupted" would send them twice.
    const lease = new Lease(
      this.db,
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
      this.outbox.recoverInterrupted();
      return await this.sendAndRefresh(apiKey, batchSize, lease);
    } finally {
      clearInterval(renewal);
      if (!this.closed) lease.release();
    }
  }

  private endWithoutSending(stopped: NonNullable<SyncSummary['stopped']>): SyncSummary {
    const counts = this.outbox.counts();
    this.lastSync = {
      sent: 0,
      succeeded: 0,
      failed: 0,
      pending: counts.pending + counts.sending,
      devices: this.devicesRepo.count(),
      stopped,
    };
    return this.lastSync;
  }

  private async sendAndRefresh(
    apiKey: string,
    batchSize: number | undefined,
    lease: Lease,
  ): Promise<SyncSummary> {
    const client = this.client(apiKey);
    // Once per stored key (every run for one from the environment, which can change unseen):
    // find out whether it may change anything before any change is sent.
    if (!this.settingsRepo.read<boolean>('keyRoleChecked') || (await this.keys.status()).backend === 'env') {
      const mayChange = await client.keyMayChange();
      if (mayChange !== null) this.settingsRepo.write({ keyReadOnly: !mayChange, keyRoleChecked: true });
    }
    const summary = await new SyncRun({
      outbox: this.outbox,
      devices: this.devicesRepo,
      tags: this.tagsRepo,
      client,
      pause: {
        get: () => this.settingsRepo.read<number | null>('pausedUntil') ?? null,
        set: (until) => this.settingsRepo.write({ pausedUntil: until }),
      },
      policy: this.options.retryPolicy ?? defaultRetryPolicy,
      transaction: (work) => write(this.db, work),
      maxWaitMs: this.options.syncMaxWaitMs ?? 0,
      maxRunMs: this.options.syncMaxRunMs ?? DEFAULT_SYNC_MAX_RUN_MS,
      lease,
      batchSize,
      readOnly: this.keyReadOnly(),
      onProgress: (progress) => this.emit('syncProgress', progress),
    }).run();
    this.lastSync = summary;
    if (summary.stopped?.reason === 'forbidden') this.settingsRepo.write({ keyReadOnly: true });
    // An answer (even a refusal) means the API is reachable; none, or a stand-in's, means it is not.
    this.setOnline(summary.stopped?.reason !== 'offline' && summary.stopped?.reason !== 'not-api');
    return summary;
  }

  close(): void {
    this.closed = true;
    this.autoSync?.stop();
    this.station.stopWatch();
    for (const set of Object.values(this.listeners)) set.clear();
    this.db.close();
  }
}
