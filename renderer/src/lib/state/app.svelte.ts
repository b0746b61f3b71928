import type { AppStatus, SyncProgress, SyncSummary } from '$shared/types';
import { api, call } from '../api';

/** Status bar and sync control state, fed by main-process pushes through one subscription. */
export class AppState {
  status = $state<AppStatus | null>(null);
  progress = $state<SyncProgress | null>(null);
  lastSync = $state<SyncSummary | null>(null);
  error = $state<string | null>(null);
  syncing = $derived(this.status?.syncing ?? false);

  async refresh(): Promise<void> {
    const { value, error } = await call(api.getStatus({}));
    if (value) this.status = value;
    this.error = error?.message ?? null;
  }

  /** Subscribes to pushes; returns the cleanup for $effect. */
  connect(): () => void {
    const offs = [
      api.on('statusChanged', (status) => (this.status = status)),
      api.on('syncProgress', (progress) => (this.progress = progress)),
    ];
    void this.refresh();
    return () => offs.forEach((off) => off());
  }

  async sync(): Promise<void> {
    this.error = null;
    this.progress = { sent: 0, total: 0, current: null };
    const { value, error } = await call(api.sync({}));
    this.progress = null;
    if (value) this.lastSync = value;
    this.error = error?.message ?? null;
    await this.refresh();
  }
}

export const appState = new AppState();
