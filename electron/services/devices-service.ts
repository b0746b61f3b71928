import { withoutPayload } from '../core/outbox-entry';
import { totalOf } from '../core/paging';
import type { DeviceQuery, DeviceRead, DevicesRepository } from '../adapters/db/devices-repo';
import type { OutboxQueries } from '../adapters/db/outbox-queries';
import type { TagsRepository } from '../adapters/db/tags-repo';
import type { ClaimedDevice, DeviceFields, DevicePage, OutboxEntry } from '../shared/types';

export interface DeviceDetail {
  device: ClaimedDevice | null;
  raw: unknown;
  reads: DeviceRead[];
  changes: OutboxEntry[];
}

/** Rows are given their queued changes a chunk at a time: the overlay is asked for what is shown. */
const OVERLAY_CHUNK = 500;

/** The local copy of claimed devices and tags, as the screens and the CLI read it: by query. */
export class DevicesService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly tagsRepo: TagsRepository,
    private readonly queries: OutboxQueries,
  ) {}

  /** These devices with every change still waiting shown on top (the service's state stays underneath). */
  private withPending(rows: DeviceFields[]): ClaimedDevice[] {
    const pending = this.queries.pendingChangesByDevice(rows.map((d) => d.id));
    return rows.map((d) => {
      const changes = pending.get(d.id);
      return { ...d, pending: changes?.kinds ?? [], pendingTags: changes?.tags ?? null };
    });
  }

  /** One window of the matching devices, with how many match and what the filters can offer. */
  page(query: DeviceQuery, offset: number, limit: number): DevicePage {
    const rows = this.withPending(this.devices.page(query, offset, limit));
    return {
      rows,
      offset,
      total: totalOf(rows.length, offset, limit, () => this.devices.countMatching(query)),
      ...(offset === 0 ? { filters: this.devices.filters() } : {}),
    };
  }

  /**
   * The matching devices from `offset` on, at most `limit` (-1: all), streamed: the CLI's
   * `devices --json` of 100,000 devices in flat memory.
   */
  *iterate(query: DeviceQuery = {}, offset = 0, limit = -1): Generator<ClaimedDevice> {
    let chunk: DeviceFields[] = [];
    for (const device of this.devices.iterate(query, offset, limit)) {
      chunk.push(device);
      if (chunk.length === OVERLAY_CHUNK) {
        yield* this.withPending(chunk);
        chunk = [];
      }
    }
    yield* this.withPending(chunk);
  }

  /** The whole matching list at once: for small lists and tests. */
  list(query: DeviceQuery = {}): ClaimedDevice[] {
    return [...this.iterate(query)];
  }

  /** The UUIDs of every device matching a query ("select all matching"). */
  ids(query: DeviceQuery): string[] {
    return this.devices.ids(query);
  }

  /** One device in full: the service's attributes, where and when its token was read, its queued changes. */
  detail(id: string): DeviceDetail {
    const row = this.devices.get(id);
    return {
      device: row && this.withPending([row])[0]!,
      raw: this.devices.raw(id),
      reads: this.devices.reads(id),
      changes: this.queries.unsettledFor(id).map(withoutPayload),
    };
  }

  /** The team's tags with how many devices in the local copy carry each (counted in SQL). */
  tags(): Array<{ tag: string; description: string; devices: number }> {
    const carried = this.devices.tagCounts();
    return this.tagsRepo
      .list()
      .map((t) => ({ tag: t.tag, description: t.description, devices: carried.get(t.tag) ?? 0 }));
  }
}
