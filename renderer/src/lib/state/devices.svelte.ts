import { SvelteSet } from 'svelte/reactivity';
import type { ClaimedDevice } from '$shared/types';
import { api, call } from '../api';

export type StatusFilter = 'all' | 'ready' | 'blocked';

/** What a device's queued changes look like until the service confirms them. */
export function pendingWords(device: ClaimedDevice): string | null {
  const last = device.pending.at(-1);
  if (!last) return null;
  const words: Record<string, string> = {
    block: 'blocking…',
    unblock: 'unblocking…',
    unclaim: 'unclaiming…',
    'set-tags': 'changing tags…',
  };
  return words[last] ?? null;
}

const sortedUnique = (values: string[]) => [...values].sort().filter((v, i, all) => v !== all[i - 1]);

const isBlocked = (d: ClaimedDevice) => d.status?.toUpperCase() === 'BLOCKED';

/**
 * The local copy of claimed devices, loaded once and filtered here: search and filters touch no
 * disk and no IPC, so a keystroke stays fast with 100,000 devices.
 */
export class DevicesState {
  all = $state.raw<ClaimedDevice[]>([]);
  search = $state('');
  tag = $state('');
  status = $state<StatusFilter>('all');
  type = $state('');
  newestFirst = $state(true);
  readonly selected = new SvelteSet<string>();
  error = $state<string | null>(null);

  readonly types = $derived(sortedUnique(this.all.map((d) => d.deviceType ?? '').filter(Boolean)));
  readonly tags = $derived(sortedUnique(this.all.flatMap((d) => d.tags)));

  readonly filtered = $derived.by(() => {
    const q = this.search.trim().toLowerCase();
    const list = this.all.filter(
      (d) =>
        (!q || d.id.includes(q) || (d.imei ?? '').includes(q)) &&
        (!this.tag || d.tags.includes(this.tag)) &&
        (this.status === 'all' || (this.status === 'blocked') === isBlocked(d)) &&
        (!this.type || d.deviceType === this.type),
    );
    const order = this.newestFirst ? -1 : 1;
    return list.sort((a, b) => order * (a.claimedAt ?? '').localeCompare(b.claimedAt ?? ''));
  });

  async load(): Promise<void> {
    const { value, error } = await call(api.listDevices({}));
    if (value) this.all = value;
    this.error = error?.message ?? null;
  }

  toggle(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  async act(kind: 'block' | 'unblock' | 'unclaim'): Promise<void> {
    const { error } = await call(api.changeDevices({ kind, ids: [...this.selected] }));
    if (!error) this.selected.clear();
    await this.load();
    // After the reload, so the action's error is the one left on screen.
    if (error) this.error = error.message;
  }

  async setTags(tags: string[]): Promise<void> {
    const { error } = await call(api.setDeviceTags({ ids: [...this.selected], tags }));
    await this.load();
    if (error) this.error = error.message;
  }
}
