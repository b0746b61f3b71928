import type { ArgsOf } from '$shared/contract';
import type { ClaimedDevice, DevicePage, DeviceSort } from '$shared/types';
import { api, call } from '../api';
import { plural } from '../format';
import { PagedRows } from './paged.svelte';

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

/** The tags a device shows: those a queued change will give it, else the service's. */
export const shownTags = (device: ClaimedDevice) => device.pendingTags ?? device.tags;

type Filters = ArgsOf<'matchingDeviceIds'>;

/** What an action did, in words for the screen. */
export interface Outcome {
  ok: boolean;
  text: string;
}

/**
 * A selection as one value: replaced whole on each change, never mutated, so 100,000 selected
 * devices redraw once rather than once per device (what a SvelteSet would do).
 */
const selectionOf = (ids: Iterable<string> = []): ReadonlySet<string> => new Set(ids);

const actionWords = { block: 'Block', unblock: 'Unblock', unclaim: 'Unclaim' } as const;
type Query = Filters & { sort: DeviceSort; descending: boolean };

/**
 * The local copy of claimed devices as the screen shows it: filters and sort answered by SQLite in
 * the main process, a window of rows at a time. The selection holds only devices the filters
 * show: changing a filter clears it, so an action never reaches a device out of sight.
 */
export class DevicesState {
  search = $state('');
  tag = $state('');
  status = $state<StatusFilter>('all');
  type = $state('');
  sort = $state<{ by: DeviceSort; descending: boolean }>({ by: 'claimed', descending: true });
  /** Replaced, never mutated: a selection of 100,000 redraws once, not once per device. */
  selected = $state.raw(selectionOf());
  types = $state.raw<string[]>([]);
  tags = $state.raw<string[]>([]);
  error = $state<string | null>(null);
  readonly rows = new PagedRows<ClaimedDevice, Query, DevicePage>((query, offset, limit) =>
    api.queryDevices({ ...query, offset, limit }),
  );

  readonly filters = $derived<Filters>({
    search: this.search.trim() || undefined,
    tag: this.tag || undefined,
    blocked: this.status === 'all' ? undefined : this.status === 'blocked',
    type: this.type || undefined,
  });

  /** The filters or the sort changed: the first window of the new list; a filter change clears the selection. */
  async apply(filtersChanged: boolean): Promise<void> {
    if (filtersChanged) this.selected = selectionOf();
    await this.rows.setQuery({ ...this.filters, sort: this.sort.by, descending: this.sort.descending });
    const offered = this.rows.latest?.filters;
    if (offered) {
      this.types = offered.types;
      this.tags = offered.tags;
    }
  }

  sortBy(column: DeviceSort): void {
    this.sort =
      this.sort.by === column
        ? { by: column, descending: !this.sort.descending }
        : { by: column, descending: column === 'claimed' };
  }

  toggle(id: string): void {
    this.selected = this.selected.has(id)
      ? selectionOf([...this.selected].filter((s) => s !== id))
      : selectionOf([...this.selected, id]);
  }

  async selectAllMatching(): Promise<void> {
    const { value, error } = await call(api.matchingDeviceIds(this.filters));
    if (value) this.selected = selectionOf(value);
    this.error = error?.message ?? null;
  }

  clearSelection(): void {
    this.selected = selectionOf();
  }

  /** Block, unblock or unclaim the selected devices (or these). */
  async act(kind: 'block' | 'unblock' | 'unclaim', ids = [...this.selected]): Promise<Outcome> {
    const { value, error } = await call(api.changeDevices({ kind, ids }));
    if (value) this.clearSelection();
    await this.rows.reload();
    if (error) return { ok: false, text: error.message };
    return { ok: true, text: `${actionWords[kind]} queued for ${plural(value.queued, 'device')}.` };
  }

  /** One tag added to or removed from each selected device (or these), the others kept. */
  async changeTag(op: 'add' | 'remove', tag: string, ids = [...this.selected]): Promise<Outcome> {
    const { value, error } = await call(api.changeDeviceTag({ op, tag, ids }));
    await this.rows.reload();
    if (error) return { ok: false, text: error.message };
    const done = `${op === 'add' ? 'Adding' : 'Removing'} “${tag}” queued for ${plural(value.queued, 'device')}`;
    const unchanged = value.unchanged
      ? `; ${value.unchanged.toLocaleString()} ${op === 'add' ? 'had it already' : 'did not have it'}`
      : '';
    return { ok: true, text: `${done}${unchanged}.` };
  }

  /** Every tag of each selected device replaced by these. */
  async replaceTags(tags: string[]): Promise<Outcome> {
    const { value, error } = await call(api.setDeviceTags({ ids: [...this.selected], tags }));
    await this.rows.reload();
    if (error) return { ok: false, text: error.message };
    return { ok: true, text: `New tags queued for ${plural(value.queued, 'device')}.` };
  }
}
