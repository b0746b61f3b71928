import type { EntryState, OutboxEntry } from '$shared/types';
import { api, call } from '../api';

export class QueueState {
  entries = $state.raw<OutboxEntry[]>([]);
  filter = $state<EntryState | 'all'>('all');
  error = $state<string | null>(null);

  private lastLoad = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Reloads now, or once a second at most: a running sync pushes its counts a few times a second,
   * and the list need not follow each push.
   */
  loadSoon(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastLoad + 1000 - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, wait);
  }

  async load(): Promise<void> {
    this.lastLoad = Date.now();
    const { value, error } = await call(api.listQueue({ state: this.filter }));
    if (value) this.entries = value;
    this.error = error?.message ?? null;
  }

  async retry(id: string): Promise<void> {
    const { error } = await call(api.retryEntry({ id }));
    this.error = error?.message ?? null;
    await this.load();
  }

  async discard(id: string): Promise<void> {
    const { error } = await call(api.discardEntry({ id }));
    this.error = error?.message ?? null;
    await this.load();
  }
}
