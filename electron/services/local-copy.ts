import type { StoredEntry, TagChange } from '../core/outbox-entry';
import type { ServiceDevice, ServiceTag } from '../core/service-model';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { TagsRepository } from '../adapters/db/tags-repo';

/**
 * What a confirmed change does to the local copy, from the service's own answer: the device a
 * claim or a tag change returns, a block's new status when the answer is a bare 204, an unclaimed
 * device gone. The copy stays current without pulling the team's whole list after every sync.
 */
export function applyAnswer(
  entry: StoredEntry,
  answer: ServiceDevice | ServiceTag | null,
  local: { devices: DevicesRepository; tags: TagsRepository },
): void {
  const device = answer && 'deviceType' in answer ? answer : null;
  const tag = answer && 'tag' in answer ? answer : null;
  switch (entry.kind) {
    case 'claim':
      // A bulk answer may list only the claimed ids: the device is known here, its details come later.
      // The IMEI read from the board stays when the service does not know it (yet).
      local.devices.upsert(
        device
          ? { ...device, imei: device.imei ?? entry.payload.imei }
          : {
              id: entry.deviceId,
              deviceType: null,
              imei: entry.payload.imei,
              tags: entry.payload.tags,
              status: null,
              claimedAt: null,
              raw: { id: entry.deviceId },
            },
      );
      return;
    case 'set-tags':
      if (device) local.devices.upsert(device);
      else local.devices.setTags(entry.deviceId, entry.payload.tags);
      return;
    case 'block':
    case 'unblock':
      if (device) local.devices.upsert(device);
      else local.devices.setStatus(entry.deviceId, entry.kind === 'block' ? 'BLOCKED' : 'READY');
      return;
    case 'unclaim':
      local.devices.remove(entry.deviceId);
      return;
    case 'tag-create':
    case 'tag-update':
      if (tag) local.tags.upsert(tag);
      return;
    case 'tag-delete':
      return;
  }
}

/**
 * What a queued tag change does to the local copy before the service confirms it: the tag list,
 * and the devices that carry a renamed or deleted tag. Applied when it is queued, and again over
 * a refreshed list while it is still queued.
 */
export function applyTagChange(
  change: TagChange,
  local: { devices: DevicesRepository; tags: TagsRepository },
): void {
  if (change.kind === 'tag-create') {
    const { tag, description } = change.payload;
    local.tags.upsert({ id: null, tag, description, createdAt: null });
  } else if (change.kind === 'tag-update') {
    const { tag, to, description } = change.payload;
    local.tags.rename(tag, to, description);
    if (to !== tag) local.devices.renameTag(tag, to);
  } else {
    local.tags.delete(change.payload.tag);
    local.devices.removeTag(change.payload.tag);
  }
}
