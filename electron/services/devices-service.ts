import { withoutPayload } from '../core/outbox-entry';
import type { DeviceRead, DevicesRepository } from '../adapters/db/devices-repo';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';
import type { ClaimedDevice, DeviceFields, EntryKind, OutboxEntry } from '../shared/types';

type PendingByDevice = Map<string, { kinds: EntryKind[]; tags: string[] | null }>;

/** A device with the changes queued here shown on top of what the service last said. */
function withPending(device: DeviceFields, pending: PendingByDevice): ClaimedDevice {
  const changes = pending.get(device.id);
  return { ...device, pending: changes?.kinds ?? [], pendingTags: changes?.tags ?? null };
}

export interface DeviceDetail {
  device: ClaimedDevice | null;
  raw: unknown;
  reads: DeviceRead[];
  changes: OutboxEntry[];
}

/** The local copy of claimed devices and tags, as the screens and the CLI read it. */
export class DevicesService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly tagsRepo: TagsRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** The local copy with every change still waiting shown on top (the service's state stays underneath). */
  list(filter: { search?: string } = {}): ClaimedDevice[] {
    const pending = this.outbox.pendingChangesByDevice();
    return this.devices.list(filter).map((d) => withPending(d, pending));
  }

  /** One device in full: the service's attributes, where and when its token was read, its queued changes. */
  detail(id: string): DeviceDetail {
    // One device through its index: the detail view must not rebuild the list of 100,000.
    const row = this.devices.get(id);
    return {
      device: row && withPending(row, this.outbox.pendingChangesByDevice(id)),
      raw: this.devices.raw(id),
      reads: this.devices.reads(id),
      changes: this.outbox.unsettledFor(id).map(withoutPayload),
    };
  }

  /** The team's tags with how many devices in the local copy carry each. */
  tags(): Array<{ tag: string; description: string; devices: number }> {
    const carried = new Map<string, number>();
    for (const device of this.devices.list())
      for (const t of device.tags) carried.set(t, (carried.get(t) ?? 0) + 1);
    return this.tagsRepo
      .list()
      .map((t) => ({ tag: t.tag, description: t.description, devices: carried.get(t.tag) ?? 0 }));
  }
}
