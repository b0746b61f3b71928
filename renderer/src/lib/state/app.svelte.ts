import type { AppStatus, SyncProgress } from '$shared/types';
import { api, call } from '../api';
import { connectionOf, problemsOf } from '../status-words';
import { notices } from './notices.svelte';

/**
 * The status the main process pushes, and the sync control. One source: the strip, the screens and
 * the checklist all read `status`, so none can say something another contradicts.
 */
export class AppState {
  status = $state<AppStatus | null>(null);
  progress = $state<SyncProgress | null>(null);
  /** The clock the strip's "until 14:05:10" and "2 min ago" are read against (ticks while shown). */
  now = $state(Date.now());
  readonly syncing = $derived(this.status?.syncing ?? false);
  readonly connection = $derived(connectionOf(this.status));
  readonly problems = $derived(problemsOf(this.status, this.now));

  /** Pushes received: a status asked for and overtaken by a push on its way back is not shown. */
  private pushes = 0;

  async refresh(): Promise<void> {
    const asked = this.pushes;
    const { value, error } = await call(api.getStatus({}));
    if (value && asked === this.pushes) this.status = value;
    if (error) notices.toast(error.message, 'danger');
  }

  /** Subscribes to pushes; returns the cleanup for $effect. */
  connect(): () => void {
    const offs = [
      api.on('statusChanged', (status) => {
        this.pushes++;
        this.status = status;
        if (!status.syncing) this.progress = null;
      }),
      api.on('syncProgress', (progress) => (this.progress = progress)),
    ];
    const clock = setInterval(() => (this.now = Date.now()), 1000);
    void this.refresh();
    return () => {
      offs.forEach((off) => off());
      clearInterval(clock);
    };
  }

  /** Sync now. Its outcome reaches the strip as any sync's does, through the pushed status. */
  async sync(): Promise<void> {
    const { error } = await call(api.sync({}));
    if (error) notices.toast(error.message, 'danger');
    await this.refresh();
  }
}

export const appState = new AppState();
