import type { OutboxEntry, QueuePage } from '$shared/types';
import { api, call } from '../api';
import { PagedRows } from './paged.svelte';

export type QueueFilter = 'open' | 'pending' | 'sending' | 'failed' | 'done' | 'all';

/**
 * The outbox a window at a time: what is open (pending, sending, failed) by default, searched by
 * device UUID, IMEI or tag in the main process. The screen never holds the whole queue.
 */
export class QueueState {
  filter = $state<QueueFilter>('open');
  search = $state('');
  readonly rows = new PagedRows<OutboxEntry, { state: QueueFilter; search: string }, QueuePage>(
    (query, offset, limit) =>
      api.queryQueue({ state: query.state, search: query.search || undefined, offset, limit }),
  );

  private lastLoad = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** The filters changed: the first window of the new list. */
  applyFilters(): Promise<void> {
    return this.rows.setQuery({ state: this.filter, search: this.search.trim() });
  }

  /**
   * The outbox changed: the rows in view again, at most once a second (a running sync pushes its
   * counts several times a second, and the list need not follow each push).
   */
  reloadSoon(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastLoad + 1000 - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastLoad = Date.now();
      void this.rows.reload();
    }, wait);
  }

  /** The screen is gone: no reload waits for it. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Puts failed entries back in line; says how many, and how many stay failed. */
  async retry(id: string | 'all-failed'): Promise<string> {
    const { value, error } = await call(api.retryEntry({ id }));
    await this.rows.reload();
    if (error) return error.message;
    const back = `${value.requeued.toLocaleString()} back in line`;
    return value.stillFailed
      ? `${back}; ${value.stillFailed.toLocaleString()} stay failed (see each for why).`
      : `${back}.`;
  }

  async discard(id: string): Promise<string | null> {
    const { error } = await call(api.discardEntry({ id }));
    await this.rows.reload();
    return error?.message ?? null;
  }
}
