import type { ArgsOf } from '$shared/contract';
import { MAX_SELECTION, type ClaimedDevice, type DevicePage, type DeviceSort } from '$shared/types';
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

type Filters = Omit<ArgsOf<'matchingDeviceIds'>, 'ids'>;

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
const unchangedWords = {
  block: 'blocked already',
  unblock: 'not blocked',
  unclaim: 'being unclaimed already',
} as const;
type Query = Filters & { sort: DeviceSort; descending: boolean };

/** "; 3 skipped (no longer shown)": what an action left alone, in words. */
const skippedWords = (skipped: number) =>
  skipped ? `; ${skipped.toLocaleString()} skipped (no longer shown, or not in the local copy)` : '';

/**
 * The local copy of claimed devices as the screen shows it: filters and sort answered by SQLite in
 * the main process, a window of rows at a time.
 *
 * An action never reaches a device out of sight: changing a filter clears the selection; after the
 * data changes the selection keeps only devices that still match; and every action on the
 * selection carries the filters, so the main process acts only on devices that match them then.
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
  /** Bumped by each filter change: an answer asked for under older filters is dropped. */
  private selectionEpoch = 0;

  readonly filters = $derived<Filters>({
    search: this.search.trim() || undefined,
    tag: this.tag || undefined,
    blocked: this.status === 'all' ? undefined : this.status === 'blocked',
    type: this.type || undefined,
  });

  /** The filters or the sort changed: the first window of the new list; a filter change clears the selection. */
  async apply(filtersChanged: boolean): Promise<void> {
    if (filtersChanged) {
      this.selectionEpoch++;
      this.selected = selectionOf();
    }
    await this.rows.setQuery({ ...this.filters, sort: this.sort.by, descending: this.sort.descending });
    this.takeFilterChoices();
  }

  /** The data changed: the rows in view again, the filters' choices, and a selection still in view. */
  async refresh(): Promise<void> {
    await this.rows.reload();
    this.takeFilterChoices();
    if (this.selected.size === 0) return;
    const epoch = this.selectionEpoch;
    const asked = this.selected;
    const { value } = await call(api.matchingDeviceIds({ ...this.filters, ids: [...asked] }));
    if (value && epoch === this.selectionEpoch && asked === this.selected && value.length !== asked.size)
      this.selected = selectionOf(value);
  }

  private takeFilterChoices(): void {
    const offered = this.rows.latest?.filters;
    if (!offered) return;
    this.types = offered.types;
    this.tags = offered.tags;
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
    if (this.rows.total > MAX_SELECTION) {
      this.error = `At most ${MAX_SELECTION.toLocaleString()} devices can be selected at once: narrow the filters first.`;
      return;
    }
    const epoch = this.selectionEpoch;
    const { value, error } = await call(api.matchingDeviceIds(this.filters));
    // The filters changed while the answer was out: it belongs to a list no longer shown.
    if (epoch !== this.selectionEpoch) return;
    if (value) this.selected = selectionOf(value.slice(0, MAX_SELECTION));
    this.error = error?.message ?? null;
  }

  clearSelection(): void {
    this.selected = selectionOf();
  }

  /** Block, unblock or unclaim the selection, or (from a device's panel) these devices. */
  async act(kind: 'block' | 'unblock' | 'unclaim', ids?: string[]): Promise<Outcome> {
    const onSelection = ids === undefined;
    const { value, error } = await call(
      api.changeDevices({
        kind,
        ids: ids ?? [...this.selected],
        within: onSelection ? this.filters : undefined,
      }),
    );
    if (value && onSelection) this.clearSelection();
    await this.refresh();
    if (error) return { ok: false, text: error.message };
    const unchanged = value.unchanged ? `; ${value.unchanged.toLocaleString()} ${unchangedWords[kind]}` : '';
    return {
      ok: true,
      text: `${actionWords[kind]} queued for ${plural(value.queued, 'device')}${unchanged}${skippedWords(value.skipped)}.`,
    };
  }

  /** One tag added to or removed from each selected device (or these), the others kept. */
  async changeTag(op: 'add' | 'remove', tag: string, ids?: string[]): Promise<Outcome> {
    const { value, error } = await call(
      api.changeDeviceTag({
        op,
        tag,
        ids: ids ?? [...this.selected],
        within: ids === undefined ? this.filters : undefined,
      }),
    );
    await this.refresh();
    if (error) return { ok: false, text: error.message };
    const done = `${op === 'add' ? 'Adding' : 'Removing'} “${tag}” queued for ${plural(value.queued, 'device')}`;
    const unchanged = value.unchanged
      ? `; ${value.unchanged.toLocaleString()} ${op === 'add' ? 'had it already' : 'did not have it'}`
      : '';
    return { ok: true, text: `${done}${unchanged}${skippedWords(value.skipped)}.` };
  }

  /** Every tag of each selected device replaced by these. */
  async replaceTags(tags: string[]): Promise<Outcome> {
    const { value, error } = await call(
      api.setDeviceTags({ ids: [...this.selected], tags, within: this.filters }),
    );
    await this.refresh();
    if (error) return { ok: false, text: error.message };
    return {
      ok: true,
      text: `New tags queued for ${plural(value.queued, 'device')}${skippedWords(value.skipped)}.`,
    };
  }
}
