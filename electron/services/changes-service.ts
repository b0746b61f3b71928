import type Database from 'better-sqlite3';
import { normalizeTags } from '../core/tags';
import { tagKey, type StoredEntry } from '../core/outbox-entry';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import type { OutboxQueries } from '../adapters/db/outbox-queries';
import type { TagsRepository } from '../adapters/db/tags-repo';
import { CodedError } from '../shared/result';
import type { EntryKind } from '../shared/types';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function checkDeviceId(input: string): string {
  const id = input.trim().toLowerCase();
  if (!uuidPattern.test(id)) {
    throw new CodedError(
      'invalid-argument',
      `"${input}" is not a device UUID (8-4-4-4-12 hexadecimal, as in the token)`,
    );
  }
  return id;
}

function oneTag(input: string, what: string): string {
  const check = normalizeTags([input]);
  if (!check.ok) throw new CodedError('invalid-argument', `${what}: ${check.reason}`);
  const [tag] = check.tags;
  if (!tag) throw new CodedError('invalid-argument', `${what}: a tag needs 1 to 100 characters`);
  return tag;
}

export interface QueuedChange {
  queued: true;
  kind: EntryKind;
  id: string;
}

/**
 * Every change other than a claim: each one is written together with its local effect in one
 * transaction, so the outbox and the local copy never disagree after a crash.
 */
export class ChangesService {
  constructor(
    private readonly db: Database.Database,
    private readonly outbox: OutboxRepository,
    private readonly tags: TagsRepository,
    private readonly devices: DevicesRepository,
    private readonly queries: OutboxQueries,
    private readonly onChange: () => void = () => undefined,
    /** Set when the key's role is known to be read-only (a viewer): changes are refused up front. */
    private readonly readOnlyReason: () => string | null = () => null,
  ) {}

  private writable(): void {
    const reason = this.readOnlyReason();
    if (reason) throw new CodedError('forbidden', reason);
  }

  private queued(entry: StoredEntry): QueuedChange {
    this.onChange();
    return { queued: true, kind: entry.kind, id: entry.id };
  }

  device(kind: 'block' | 'unblock' | 'unclaim', deviceId: string): QueuedChange {
    this.writable();
    return this.queued(this.outbox.enqueue(kind, checkDeviceId(deviceId), {}));
  }

  /** The same change for many devices, all queued or none. */
  devicesBatch(kind: 'block' | 'unblock' | 'unclaim', deviceIds: string[]): { queued: number } {
    this.writable();
    const ids = deviceIds.map(checkDeviceId);
    this.db.transaction(() => ids.forEach((id) => this.outbox.enqueue(kind, id, {})))();
    this.onChange();
    return { queued: ids.length };
  }

  setTags(deviceId: string, input: string[]): QueuedChange {
    return this.queued(this.setTagsOf([deviceId], input)[0]!);
  }

  /** New tag lists for many devices, all queued or none. */
  setTagsBatch(deviceIds: string[], input: string[]): { queued: number } {
    const entries = this.setTagsOf(deviceIds, input);
    this.onChange();
    return { queued: entries.length };
  }

  /**
   * Adds or removes one tag on each device, keeping its other tags: those it will have once its
   * queued changes are sent. Devices that already have (or lack) the tag are left alone.
   */
  changeTag(op: 'add' | 'remove', deviceIds: string[], name: string): { queued: number; unchanged: number } {
    this.writable();
    const tag = oneTag(name, 'tag');
    const ids = deviceIds.map(checkDeviceId);
    const queued = this.db.transaction(() => {
      const upcoming = this.queries.upcomingTags(ids);
      let count = 0;
      for (const id of ids) {
        const current = upcoming.get(id) ?? this.devices.get(id)?.tags ?? [];
        if (current.includes(tag) === (op === 'add')) continue;
        const next = op === 'add' ? [...current, tag] : current.filter((t) => t !== tag);
        const check = normalizeTags(next);
        if (!check.ok) throw new CodedError('invalid-argument', `device ${id}: ${check.reason}`);
        this.outbox.enqueue('set-tags', id, { tags: check.tags });
        count++;
      }
      return count;
    })();
    if (queued) this.onChange();
    return { queued, unchanged: ids.length - queued };
  }

  private setTagsOf(deviceIds: string[], input: string[]): StoredEntry[] {
    this.writable();
    const check = normalizeTags(input);
    if (!check.ok) throw new CodedError('invalid-argument', check.reason);
    const ids = deviceIds.map(checkDeviceId);
    return this.db.transaction(() =>
      ids.map((id) => this.outbox.enqueue('set-tags', id, { tags: check.tags })),
    )();
  }

  createTag(name: string, description = ''): QueuedChange {
    this.writable();
    const tag = oneTag(name, 'tag');
    return this.db.transaction(() => {
      if (this.tags.has(tag)) throw new CodedError('invalid-argument', `the tag "${tag}" exists already`);
      this.tags.upsert({ id: null, tag, description, createdAt: null });
      return this.queued(this.outbox.enqueue('tag-create', tagKey(tag), { tag, description }));
    })();
  }

  updateTag(name: string, change: { to?: string; description?: string }): QueuedChange {
    this.writable();
    const tag = oneTag(name, 'tag');
    const to = change.to === undefined ? tag : oneTag(change.to, '--to');
    return this.db.transaction(() => {
      if (!this.tags.has(tag)) throw new CodedError('not-found', `there is no tag "${tag}"`);
      if (to !== tag && this.tags.has(to))
        throw new CodedError('invalid-argument', `the tag "${to}" exists already`);
      this.tags.rename(tag, to, change.description ?? null);
      if (to !== tag) this.devices.renameTag(tag, to);
      return this.queued(
        this.outbox.enqueue('tag-update', tagKey(tag), { tag, to, description: change.description ?? null }),
      );
    })();
  }

  deleteTag(name: string): QueuedChange {
    this.writable();
    const tag = oneTag(name, 'tag');
    return this.db.transaction(() => {
      if (!this.tags.has(tag)) throw new CodedError('not-found', `there is no tag "${tag}"`);
      this.tags.delete(tag);
      this.devices.removeTag(tag);
      return this.queued(this.outbox.enqueue('tag-delete', tagKey(tag), { tag }));
    })();
  }
}
