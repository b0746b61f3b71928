import type Database from 'better-sqlite3';
import { normalizeTags } from '../core/tags';
import { tagKey, type StoredEntry, type TagChange } from '../core/outbox-entry';
import { write } from '../adapters/db/database';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { DevicesRepository } from '../adapters/db/devices-repo';
import { applyTagChange } from './local-copy';
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

/** A tag list as tag renames and deletes queued after it will leave it in the service. */
function afterTagChanges(tags: string[], changes: StoredEntry[]): string[] {
  let out = tags;
  for (const change of changes) {
    if (change.kind === 'tag-update' && change.payload.to)
      out = out.map((t) => (t === change.payload.tag ? change.payload.to! : t));
    if (change.kind === 'tag-delete') out = out.filter((t) => t !== change.payload.tag);
  }
  return out;
}

/** Whether a device is already as `kind` would make it, counting its queued changes. */
function alreadyDone(
  kind: 'block' | 'unblock' | 'unclaim',
  device: { status: string | null } | null,
  queued: readonly EntryKind[],
): boolean {
  if (kind === 'unclaim') return queued.includes('unclaim');
  if (!device) return false; // not in the local copy: its state is not known here
  const lastSwitch = queued.filter((k) => k === 'block' || k === 'unblock').at(-1);
  const blocked = lastSwitch ? lastSwitch === 'block' : device.status?.toUpperCase() === 'BLOCKED';
  return blocked === (kind === 'block');
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

  /**
   * The same change for many devices, all queued or none. A device that is already so, or will be
   * once its queued changes are sent (blocked, or with a block waiting), is left alone: pressing
   * Block twice queues one block.
   */
  devicesBatch(
    kind: 'block' | 'unblock' | 'unclaim',
    deviceIds: string[],
  ): { queued: number; unchanged: number } {
    this.writable();
    const ids = [...new Set(deviceIds.map(checkDeviceId))];
    const queued = write(this.db, () => {
      const pending = this.queries.pendingChangesByDevice(ids);
      const changing = ids.filter(
        (id) => !alreadyDone(kind, this.devices.get(id), pending.get(id)?.kinds ?? []),
      );
      changing.forEach((id) => this.outbox.enqueue(kind, id, {}));
      return changing.length;
    });
    if (queued) this.onChange();
    return { queued, unchanged: ids.length - queued };
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
   * queued changes are sent (its last queued tag list, as renamed or deleted by tag changes queued
   * after it). Devices that already have (or lack) the tag are left alone; devices not in the
   * local copy are skipped (their tags are not known here).
   */
  changeTag(
    op: 'add' | 'remove',
    deviceIds: string[],
    name: string,
  ): { queued: number; unchanged: number; skipped: number } {
    this.writable();
    const tag = oneTag(name, 'tag');
    const ids = [...new Set(deviceIds.map(checkDeviceId))];
    const result = write(this.db, () => {
      const pending = this.queries.pendingChangesByDevice(ids);
      const tagChanges = this.outbox.pendingTagChanges();
      let queued = 0;
      let skipped = 0;
      for (const id of ids) {
        const device = this.devices.get(id);
        if (!device) {
          skipped++;
          continue;
        }
        const waiting = pending.get(id);
        const current =
          waiting?.tags && waiting.tagsSeq !== null
            ? afterTagChanges(
                waiting.tags,
                tagChanges.filter((c) => c.seq > waiting.tagsSeq!),
              )
            : device.tags;
        if (current.includes(tag) === (op === 'add')) continue;
        // The device's other tags come from the service (or a list already checked): only the new
        // tag is checked here, so one odd tag elsewhere cannot stop a change to 50,000 devices.
        const next = op === 'add' ? [...current, tag] : current.filter((t) => t !== tag);
        this.outbox.enqueue('set-tags', id, { tags: next });
        queued++;
      }
      return { queued, unchanged: ids.length - queued - skipped, skipped };
    });
    if (result.queued) this.onChange();
    return result;
  }

  private setTagsOf(deviceIds: string[], input: string[]): StoredEntry[] {
    this.writable();
    const check = normalizeTags(input);
    if (!check.ok) throw new CodedError('invalid-argument', check.reason);
    const ids = deviceIds.map(checkDeviceId);
    return write(this.db, () => ids.map((id) => this.outbox.enqueue('set-tags', id, { tags: check.tags })));
  }

  createTag(name: string, description = ''): QueuedChange {
    this.writable();
    const tag = oneTag(name, 'tag');
    return write(this.db, () => {
      if (this.tags.has(tag)) throw new CodedError('invalid-argument', `the tag "${tag}" exists already`);
      return this.queued(this.queueTagChange({ kind: 'tag-create', payload: { tag, description } }));
    });
  }

  updateTag(name: string, change: { to?: string; description?: string }): QueuedChange {
    this.writable();
    const tag = oneTag(name, 'tag');
    const to = change.to === undefined ? tag : oneTag(change.to, '--to');
    return write(this.db, () => {
      if (!this.tags.has(tag)) throw new CodedError('not-found', `there is no tag "${tag}"`);
      if (to !== tag && this.tags.has(to))
        throw new CodedError('invalid-argument', `the tag "${to}" exists already`);
      return this.queued(
        this.queueTagChange({
          kind: 'tag-update',
          payload: { tag, to, description: change.description ?? null },
        }),
      );
    });
  }

  deleteTag(name: string): QueuedChange {
    this.writable();
    const tag = oneTag(name, 'tag');
    return write(this.db, () => {
      if (!this.tags.has(tag)) throw new CodedError('not-found', `there is no tag "${tag}"`);
      return this.queued(this.queueTagChange({ kind: 'tag-delete', payload: { tag } }));
    });
  }

  /** A tag change applied here at once and queued for the service, in the caller's transaction. */
  private queueTagChange(change: TagChange): StoredEntry {
    applyTagChange(change, { tags: this.tags, devices: this.devices });
    // The kind and its payload come as a pair; TypeScript cannot follow the pair through a union.
    return this.outbox.enqueue(change.kind, tagKey(change.payload.tag), change.payload as never);
  }
}
