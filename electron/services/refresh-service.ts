import type Database from 'better-sqlite3';
import { judgeFailure, type Stop } from '../core/retry-policy';
import type { ApiFailure } from '../core/service-model';
import type { ProvisioningClient } from '../adapters/api/provisioning-client';
import { write } from '../adapters/db/database';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import { applyTagChange } from './local-copy';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
import type { RefreshProgress } from '../shared/types';
import type { AppFlagsStore } from './app-flags';
import type { EventBus, ServiceEvents } from './events';
import type { SettingsService } from './settings-service';

/** The largest page asked for first; a smaller one is remembered if the service refuses it. */
const LARGEST_PAGE = 1000;
const SMALLEST_PAGE = 100;

interface PassRow {
  pass: number;
  cursor: string | null;
  started_at: number;
  pages: number;
  seen: number;
  total: number | null;
}

export interface RefreshDeps {
  db: Database.Database;
  devices: DevicesRepository;
  tags: TagsRepository;
  outbox: OutboxRepository;
  flags: AppFlagsStore;
  settings: SettingsService;
  events: EventBus<ServiceEvents>;
}

export type RefreshOutcome = { stopped: Stop | null; cancelled: boolean };

/**
 * Refreshing the local copy from the service's list: its own job, not part of every sync. A pass
 * commits each page with the cursor to the next, so an interrupted refresh continues where it
 * stopped; a completed pass removes the devices it did not see. It runs when the copy is older
 * than the refresh setting, or when asked.
 */
export class RefreshService {
  private running = false;

  constructor(private readonly deps: RefreshDeps) {}

  /** When the last complete pass ended (the copy is "as of" then); null before the first. */
  asOf(): string | null {
    return this.deps.flags.get('devicesRefreshedAt');
  }

  /** Where a pass in progress stands, if one is (it may have been interrupted). */
  progress(): RefreshProgress | null {
    const row = this.passRow();
    return row ? { pages: row.pages, devices: row.seen, total: row.total } : null;
  }

  /** Whether the copy needs a refresh: never refreshed, older than the setting, or a pass left unfinished. */
  isDue(now = Date.now()): boolean {
    if (this.passRow()) return true;
    const asOf = this.asOf();
    const maxAgeMs = this.deps.settings.get().refreshHours * 3600_000;
    return asOf === null || now - Date.parse(asOf) >= maxAgeMs;
  }

  get busy(): boolean {
    return this.running;
  }

  private passRow(): PassRow | null {
    return this.deps.db.prepare<[], PassRow>('SELECT * FROM refresh_pass WHERE one = 1').get() ?? null;
  }

  private startPass(now: number): PassRow {
    const last = this.deps.flags.get('lastRefreshPass');
    const row: PassRow = { pass: last + 1, cursor: null, started_at: now, pages: 0, seen: 0, total: null };
    write(this.deps.db, () => {
      this.deps.db
        .prepare('INSERT OR REPLACE INTO refresh_pass (one, pass, cursor, started_at) VALUES (1, ?, NULL, ?)')
        .run(row.pass, now);
      this.deps.flags.set({ lastRefreshPass: row.pass });
    });
    return row;
  }

  /**
   * Runs (or resumes) a pass to its end. `signal` cancels between pages; `mayGoOn` is asked before
   * each page (a sync's time bound and lease).
   */
  async run(
    client: ProvisioningClient,
    options: { signal?: AbortSignal; mayGoOn?: () => Stop | null } = {},
  ): Promise<RefreshOutcome> {
    if (this.running) return { stopped: null, cancelled: false };
    this.running = true;
    try {
      return await this.pass(client, options);
    } finally {
      this.running = false;
      this.deps.events.emit('changed', undefined);
    }
  }

  private async pass(
    client: ProvisioningClient,
    options: { signal?: AbortSignal; mayGoOn?: () => Stop | null },
  ): Promise<RefreshOutcome> {
    const { db, devices, flags } = this.deps;
    let row = this.passRow() ?? this.startPass(Date.now());
    let limit = flags.get('pageLimit') ?? LARGEST_PAGE;
    this.report(row);
    for (;;) {
      if (options.signal?.aborted) return { stopped: null, cancelled: true };
      const halt = options.mayGoOn?.();
      if (halt) return { stopped: halt, cancelled: false };
      const page = await client.listDevicesPage(limit, row.cursor);
      if (page.kind === 'rejected' && (page.status === 400 || page.status === 422) && limit > SMALLEST_PAGE) {
        // The service refuses pages this large: ask for half, and remember what it accepts.
        limit = Math.max(SMALLEST_PAGE, Math.floor(limit / 2));
        flags.set({ pageLimit: limit });
        continue;
      }
      if (page.kind === 'rejected' && row.cursor !== null && (page.status === 400 || page.status === 404)) {
        // The cursor of an interrupted pass lapsed: this pass starts again from the first page.
        row = { ...row, cursor: null };
        continue;
      }
      if (page.kind !== 'ok') return { stopped: this.failed(page), cancelled: false };
      const { items, next, total } = page.value;
      row = { ...row, cursor: next, pages: row.pages + 1, seen: row.seen + items.length, total };
      const committed = row;
      write(db, () => {
        devices.upsertPage(items, committed.pass);
        db.prepare('UPDATE refresh_pass SET cursor = ?, pages = ?, seen = ?, total = ? WHERE one = 1').run(
          committed.cursor,
          committed.pages,
          committed.seen,
          committed.total,
        );
      });
      this.report(row);
      if (!next) break;
    }
    write(db, () => {
      devices.removeUnseen(row.pass, row.started_at);
      db.prepare('DELETE FROM refresh_pass').run();
      flags.set({ devicesRefreshedAt: new Date().toISOString() });
    });
    return { stopped: await this.refreshTags(client), cancelled: false };
  }

  private report(row: PassRow): void {
    this.deps.events.emit('refreshProgress', { pages: row.pages, devices: row.seen, total: row.total });
  }

  /** The tag list, with the changes still queued here put back on top of it. */
  private async refreshTags(client: ProvisioningClient): Promise<Stop | null> {
    const tags = await client.listTags();
    if (tags.kind !== 'ok') return this.failed(tags);
    const local = this.deps.tags;
    write(this.deps.db, () => {
      local.replaceAll(tags.value);
      for (const entry of this.deps.outbox.pendingTagChanges())
        applyTagChange(entry, { tags: local, devices: this.deps.devices });
    });
    return null;
  }

  private failed(failure: ApiFailure): Stop {
    const verdict = judgeFailure(failure);
    return verdict.scope === 'queue'
      ? verdict.stop
      : { reason: 'server-error', message: `Refreshing the device list failed: ${verdict.message}` };
  }
}
