import type { EntryKind, FailureKind } from '../shared/types';
import type { ServiceDevice, ServiceTag } from './service-model';

/** What the service shows now, looked up to settle an entry whose outcome is unknown. */
export type Observation = { device: ServiceDevice | null } | { tags: ServiceTag[] };

export type SettleVerdict =
  { verdict: 'done' } | { verdict: 'resend' } | { verdict: 'failed'; message: string; failure: FailureKind };

const notClaimed: SettleVerdict = {
  verdict: 'failed',
  message: 'The device is not claimed by this team (any more)',
  failure: 'not-claimed',
};

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((t) => b.includes(t));

/**
 * Decides from the service's present state whether an entry's change already happened. Entries
 * of one device go out one at a time, so the present state reflects this entry and those before.
 */
export function settleVerdict(
  entry: { kind: EntryKind; payload: unknown },
  seen: Observation,
): SettleVerdict {
  if ('device' in seen) {
    const device = seen.device;
    const payload = entry.payload as { tags?: string[] };
    switch (entry.kind) {
      case 'claim':
        return device ? { verdict: 'done' } : { verdict: 'resend' };
      case 'unclaim':
        return device ? { verdict: 'resend' } : { verdict: 'done' };
      case 'block':
      case 'unblock': {
        if (!device) return notClaimed;
        const blocked = device.status?.toUpperCase() === 'BLOCKED';
        return blocked === (entry.kind === 'block') ? { verdict: 'done' } : { verdict: 'resend' };
      }
      case 'set-tags':
        if (!device) return notClaimed;
        return sameTags(device.tags, payload.tags ?? []) ? { verdict: 'done' } : { verdict: 'resend' };
      default:
        throw new Error(`a ${entry.kind} entry is settled by looking at tags, not a device`);
    }
  }
  const names = new Set(seen.tags.map((t) => t.tag));
  const payload = entry.payload as { tag: string; to?: string };
  switch (entry.kind) {
    case 'tag-create':
      return names.has(payload.tag) ? { verdict: 'done' } : { verdict: 'resend' };
    case 'tag-delete':
      return names.has(payload.tag) ? { verdict: 'resend' } : { verdict: 'done' };
    case 'tag-update': {
      const to = payload.to ?? payload.tag;
      const renamed = names.has(to) && (to === payload.tag || !names.has(payload.tag));
      return renamed ? { verdict: 'done' } : { verdict: 'resend' };
    }
    default:
      throw new Error(`a ${entry.kind} entry is settled by looking at a device, not tags`);
  }
}

export const settledByTags = (kind: EntryKind) =>
  kind === 'tag-create' || kind === 'tag-update' || kind === 'tag-delete';
