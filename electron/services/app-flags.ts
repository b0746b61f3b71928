import type { SettingsRepository } from '../adapters/db/settings-repo';

/** What the app remembers about the key and the service between runs (never the key itself). */
export interface AppFlags {
  /** The service refused a change with 403: this key's role can only read (a viewer). */
  keyReadOnly: boolean;
  /** Whether the stored key's role has been asked about (once per key). */
  keyRoleChecked: boolean;
  /** A 429 paused the whole queue until then (ms since epoch), kept across restarts. */
  pausedUntil: number | null;
  /** When the last complete refresh pass of the device list ended (ISO). */
  devicesRefreshedAt: string | null;
  /** The largest device-list page the service accepted, once one was refused. */
  pageLimit: number | null;
  /** The number of the last refresh pass begun. */
  lastRefreshPass: number;
}

const defaults: AppFlags = {
  keyReadOnly: false,
  keyRoleChecked: false,
  pausedUntil: null,
  devicesRefreshedAt: null,
  pageLimit: null,
  lastRefreshPass: 0,
};

/** Typed flags over the settings table: one name and one type per flag, no casts at the call sites. */
export class AppFlagsStore {
  constructor(private readonly repo: SettingsRepository) {}

  get<K extends keyof AppFlags>(name: K): AppFlags[K] {
    return (this.repo.read<AppFlags[K]>(name) ?? defaults[name]) as AppFlags[K];
  }

  set(change: Partial<AppFlags>): void {
    this.repo.write(change);
  }

  /** The pause still in force, if any. */
  pausedUntil(now = Date.now()): number | null {
    const until = this.get('pausedUntil');
    return until !== null && until > now ? until : null;
  }
}
