import { arch, platform, release, version as osVersion } from 'node:os';
import { deviceTypeName } from '../core/token';
import { toSiteReportCsv } from '../adapters/csv/report-csv';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { OutboxQueries } from '../adapters/db/outbox-queries';
import type { SiteReportRepository } from '../adapters/db/site-report-repo';
import type { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import type { AppStatus } from '../shared/types';
import { about, type About, type BuildInfo } from './about';
import type { AppFlagsStore } from './app-flags';
import { formatDiagnostics, REPORT_LINES } from './diagnostics';
import type { KeyService } from './key-service';
import type { RefreshService } from './refresh-service';
import type { SettingsService } from './settings-service';
import type { SyncService } from './sync-service';

export interface StatusDeps {
  settings: SettingsService;
  queries: OutboxQueries;
  devices: DevicesRepository;
  siteReport: SiteReportRepository;
  sync: SyncService;
  refresh: RefreshService;
  keys: KeyService;
  flags: AppFlagsStore;
  log: DiagnosticsLog;
}

/** Local midnight as the outbox writes times (ISO, UTC): "today" is the technician's day. */
function startOfToday(now = new Date()): string {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

/** What the status bar, the About box, support and the site report are told. */
export class StatusService {
  constructor(
    private readonly deps: StatusDeps,
    private readonly build: { info?: BuildInfo; resourcesPath?: string | null },
  ) {}

  async current(): Promise<AppStatus> {
    const { settings, queries, devices, sync, refresh, flags, keys } = this.deps;
    // Database reads first, synchronously: the keychain's await must not straddle a close().
    const chosen = settings.get();
    let apiBase: string;
    try {
      apiBase = settings.apiBase();
    } catch (err) {
      apiBase = `refused: ${(err as Error).message}`;
    }
    const local = {
      stage: chosen.stage,
      apiBase,
      outbox: queries.counts(),
      devices: devices.count(),
      devicesPulledAt: refresh.asOf(),
      lastSync: sync.lastSync,
      syncing: sync.syncing,
      online: sync.online,
      pausedUntil: sync.pausedUntil(),
      keyReadOnly: flags.get('keyReadOnly'),
      refresh: this.refreshState(),
      traffic: { ...sync.traffic },
      sentToday: queries.doneSince(startOfToday()),
      lastSyncAt: sync.lastSyncAt,
      reachability: sync.reachability,
      siteTags: chosen.siteTags,
      sessionTags: chosen.sessionTags,
    };
    return { key: await keys.status(), ...local };
  }

  /** A refresh running, or one left unfinished that the next refresh resumes. */
  private refreshState(): AppStatus['refresh'] {
    const { refresh } = this.deps;
    const progress = refresh.progress();
    if (!progress && !refresh.busy) return null;
    return { ...(progress ?? { pages: 0, devices: 0, total: null }), running: refresh.busy };
  }

  about(): About {
    return about(this.build.info ?? { version: 'development', commit: 'unknown' }, {
      platform: process.platform,
      resourcesPath: this.build.resourcesPath ?? null,
    });
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
      status: await this.current(),
      entries: this.deps.log.recent(REPORT_LINES),
    });
    // Every line of it, the copied messages included: no key and no whole token leaves this way.
    return {
      filename: `fieldclaim-diagnostics-${savedAt.slice(0, 10)}.txt`,
      text: this.deps.log.redact(text),
    };
  }

  /** Every device dealt with here: what was read, where and when, and how its claim stands. */
  siteReport(): { rows: number; csv: string } {
    const rows = [...this.deps.siteReport.rows()].map((r) => ({
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
}
