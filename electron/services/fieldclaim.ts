import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { checkApiKey } from '../core/api-key';
import type { RawPort } from '../core/boards';
import type { StartTokenFileThread } from '../adapters/csv/token-file-thread';
import { openDatabase } from '../adapters/db/database';
import { DevicesRepository } from '../adapters/db/devices-repo';
import { OutboxQueries } from '../adapters/db/outbox-queries';
import { OutboxRepository } from '../adapters/db/outbox-repo';
import { SiteReportRepository } from '../adapters/db/site-report-repo';
import { SettingsRepository } from '../adapters/db/settings-repo';
import { TagsRepository } from '../adapters/db/tags-repo';
import { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import { KeyStore, keytarBackend, type SecretBackend } from '../adapters/secrets/key-store';
import { listSerialPorts } from '../adapters/serial/port-list';
import type { EventName, Events } from '../shared/contract';
import { CodedError } from '../shared/result';
import type { Settings } from '../shared/types';
import type { BuildInfo } from './about';
import { AppFlagsStore } from './app-flags';
import { CaptureService } from './capture-service';
import { ChangesService } from './changes-service';
import { DevicesService } from './devices-service';
import { EventBus, type ServiceEvents } from './events';
import { ImportService } from './import-service';
import { KeyService } from './key-service';
import { QueueService } from './queue-service';
import { RefreshService } from './refresh-service';
import { SettingsService } from './settings-service';
import { StationService } from './station-service';
import { StatusService } from './status-service';
import { SyncService, type SyncOptions } from './sync-service';

export interface FieldclaimOptions extends SyncOptions {
  dataDir: string;
  /** An API key from the environment (headless stations, CI); wins over the keychain. */
  envApiKey?: string | null;
  secretBackend?: SecretBackend;
  settingsOverrides?: Partial<Settings>;
  /** Version and commit of this build, and where packaged resources live (null when unpackaged). */
  build?: BuildInfo;
  resourcesPath?: string | null;
  /** Lists serial ports; tests stand in for USB enumeration, which ptys cannot imitate. */
  listPorts?: () => Promise<RawPort[]>;
  /** Reads imported files on a worker thread while this one queues them (the CLI's imports). */
  startTokenFileThread?: StartTokenFileThread;
}

/**
 * The composition root: opens the data folder and wires one service per domain. It holds no
 * logic of its own beyond turning the services' "something changed" into the status the window
 * is pushed. The desktop app, the CLI and the tests all start here.
 */
export class Fieldclaim {
  readonly log: DiagnosticsLog;
  readonly settings: SettingsService;
  readonly keys: KeyService;
  readonly queue: QueueService;
  readonly changes: ChangesService;
  readonly devices: DevicesService;
  readonly imports: ImportService;
  readonly station: StationService;
  readonly sync: SyncService;
  readonly refresh: RefreshService;
  readonly status: StatusService;
  private readonly db: Database.Database;
  private readonly events = new EventBus<ServiceEvents>();
  private readonly pushed = new EventBus<Events>();
  private statusDue = false;
  private lastThrottledPush = 0;
  private closed = false;

  constructor(options: FieldclaimOptions) {
    const envKey = options.envApiKey ? checkApiKey(options.envApiKey) : null;
    if (envKey && !envKey.ok)
      throw new CodedError('invalid-argument', `FIELDCLAIM_API_KEY: ${envKey.reason}`);
    this.db = openDatabase(options.dataDir);
    const db = this.db;
    const events = this.events;
    this.log = new DiagnosticsLog(join(options.dataDir, 'logs'));
    this.log.addSecret(envKey?.ok ? envKey.key : null);
    const outbox = new OutboxRepository(db);
    const queries = new OutboxQueries(db);
    const devicesRepo = new DevicesRepository(db);
    const tagsRepo = new TagsRepository(db);
    const settingsRepo = new SettingsRepository(db);
    const flags = new AppFlagsStore(settingsRepo);
    const keyStore = new KeyStore(options.secretBackend ?? keytarBackend(), envKey?.ok ? envKey.key : null);

    this.settings = new SettingsService(settingsRepo, options.settingsOverrides, () =>
      events.emit('changed', undefined),
    );
    this.keys = new KeyService(keyStore, flags, this.log, events);
    this.queue = new QueueService(outbox, queries, events);
    this.changes = new ChangesService(
      db,
      outbox,
      tagsRepo,
      devicesRepo,
      queries,
      () => {
        events.emit('changed', undefined);
        events.emit('workQueued', undefined);
      },
      () => this.keys.readOnlyReason(),
    );
    this.devices = new DevicesService(devicesRepo, tagsRepo, queries);
    this.imports = new ImportService({
      db,
      outbox,
      queries,
      // The site's tags and the session's: the one rule every way into the queue follows.
      tagsFor: (extra) => this.settings.tagsFor(extra),
      log: this.log,
      events,
      startTokenFileThread: options.startTokenFileThread,
      processLabel: options.processLabel,
    });
    const capture = new CaptureService(db, outbox, devicesRepo, this.settings);
    this.station = new StationService({
      listPorts: options.listPorts ?? listSerialPorts,
      read: async (request) => {
        const result = await capture.read(request);
        events.emit('changed', undefined);
        if (result.queued) events.emit('workQueued', undefined);
        return result;
      },
      tagsFor: (extra) => this.settings.tagsFor(extra),
      defaultTimeoutMs: () => this.settings.get().timeoutMs,
      onChange: (tiles) => events.emit('stationChanged', tiles),
      onSession: (reads) => events.emit('sessionChanged', reads),
      saveWatch: (watch) => this.settings.update({ watch }),
      warn: (message) => this.log.warn('station', message),
    });
    this.refresh = new RefreshService({
      db,
      devices: devicesRepo,
      tags: tagsRepo,
      outbox,
      flags,
      settings: this.settings,
      events,
    });
    this.sync = new SyncService(
      {
        db,
        outbox,
        queries,
        refresh: this.refresh,
        devices: devicesRepo,
        tags: tagsRepo,
        settings: this.settings,
        keys: this.keys,
        flags,
        log: this.log,
        events,
      },
      options,
    );
    this.status = new StatusService(
      {
        settings: this.settings,
        queries,
        devices: devicesRepo,
        siteReport: new SiteReportRepository(db),
        sync: this.sync,
        refresh: this.refresh,
        keys: this.keys,
        flags,
        log: this.log,
      },
      { info: options.build, resourcesPath: options.resourcesPath },
    );

    // A new key is worth trying at once (and a refusal of the old one is news no more).
    events.on('keyStored', () => this.sync.keyChanged());
    events.on('changed', () => this.pushStatusSoon());
    events.on('syncProgress', (p) => {
      this.pushed.emit('syncProgress', p);
      // The counts move while a sync runs: the status follows, a few times a second at most.
      this.pushStatusThrottled();
    });
    events.on('sessionChanged', (reads) => this.pushed.emit('sessionChanged', reads));
    events.on('stationChanged', (t) => this.pushed.emit('stationChanged', t));
    events.on('importProgress', (p) => this.pushed.emit('importProgress', p));
    events.on('refreshProgress', (p) => this.pushed.emit('refreshProgress', p));
    events.on('workQueued', () => this.sync.workQueued());
  }

  /**
   * The station as the desktop app runs it: the port list kept live, and the watch on unless the
   * technician switched it off (a setting that outlives restarts). The CLI never calls this.
   */
  startStation(intervalMs = 1000): void {
    this.station.startMonitor(intervalMs);
    if (this.settings.get().watch) this.station.startWatch({ mode: 'auto', intervalMs });
  }

  /** What the window (or the CLI, or a test) is told as it happens. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    return this.pushed.on(event, listener);
  }

  /**
   * The status, pushed from this one place whenever what it derives from changed: changes in one
   * turn of the event loop (a sync's start and first progress, a batch of queued changes) make one push.
   */
  private pushStatusSoon(): void {
    if (this.closed || this.statusDue || !this.pushed.listens('statusChanged')) return;
    this.statusDue = true;
    setImmediate(() => {
      this.statusDue = false;
      if (this.closed) return;
      this.status.current().then(
        (status) => {
          if (!this.closed) this.pushed.emit('statusChanged', status);
        },
        (err: unknown) => this.log.warn('status', `could not push the status: ${(err as Error).message}`),
      );
    });
  }

  /** At most four status pushes a second from a running sync (each counts the outbox). */
  private pushStatusThrottled(): void {
    const now = Date.now();
    if (now - this.lastThrottledPush < 250) return;
    this.lastThrottledPush = now;
    this.pushStatusSoon();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sync.close();
    this.station.close();
    this.events.clear();
    this.pushed.clear();
    this.db.close();
  }
}
