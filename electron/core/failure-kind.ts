import type { EntryKind, FailureKind } from '../shared/types';

export { failureAdvice, retryableFailures } from '../shared/failures';

const deviceChanges = new Set<EntryKind>(['set-tags', 'block', 'unblock']);

/**
 * What kind of refusal failed an entry: the screen's hint and whether retrying can help follow
 * from it. Decided from the service's answer, not from its wording.
 */
export function failureKindOf(
  entry: { kind: EntryKind },
  refusal: { status?: number; claimedElsewhere?: boolean; notClaimed?: boolean },
): FailureKind {
  if (refusal.claimedElsewhere) return 'claimed-elsewhere';
  if (refusal.notClaimed) return 'not-claimed';
  if (entry.kind === 'claim' && refusal.status === 400) return 'invalid-token';
  if (refusal.status === 404 && deviceChanges.has(entry.kind)) return 'not-claimed';
  return 'refused';
}
