import type { EntryState, OutboxEntry } from '$shared/types';
import { api, call } from '../api';

export class QueueState {
  entries = $state.raw<OutboxEntry[]>([]);
  filter = $state<EntryState | 'all'>('all');
  error = $state<string | null>(null);

  async load(): Promise<void> {
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
