import { failureAdvice, isRetryable } from '$shared/failures';
import type { EntryKind, OutboxEntry } from '$shared/types';

/** What each kind of change is called on screen. */
export const kindWords: Record<EntryKind, string> = {
  claim: 'Claim',
  'set-tags': 'Set tags',
  block: 'Block',
  unblock: 'Unblock',
  unclaim: 'Unclaim',
  'tag-create': 'Create tag',
  'tag-update': 'Change tag',
  'tag-delete': 'Delete tag',
};

/** What an entry is about: a device UUID, or for a tag change the tag's name. */
export const subjectOf = (entry: Pick<OutboxEntry, 'deviceId'>) =>
  entry.deviceId.startsWith('tag:') ? entry.deviceId.slice(4) : entry.deviceId;

/** Whether Retry is offered: only for a failed entry that retrying could help. */
export const retryable = (entry: Pick<OutboxEntry, 'state' | 'failure'>) =>
  entry.state === 'failed' && isRetryable(entry.failure);

/** What the technician can do about a failed entry. */
export const hintFor = (entry: Pick<OutboxEntry, 'state' | 'failure'>) =>
  entry.state === 'failed' && entry.failure ? failureAdvice[entry.failure].hint : null;

/** When an entry held back by back-off is tried again, in the technician's local time. */
export function nextTry(entry: Pick<OutboxEntry, 'state' | 'nextAttemptAt'>, now: number): string | null {
  if (entry.state !== 'pending' || entry.nextAttemptAt === null || entry.nextAttemptAt <= now) return null;
  const at = new Date(entry.nextAttemptAt);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return `next try ${sameDay ? at.toLocaleTimeString() : at.toLocaleString()}`;
}
