import { failureKinds, type EntryKind, type FailureKind } from '../shared/types';

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

/** Plain words for what to do about a failed entry, and whether Retry is worth offering. */
export const failureAdvice: Record<FailureKind, { hint: string; retryable: boolean }> = {
  'claimed-elsewhere': {
    hint: 'Another team owns this device: ask them to unclaim it, or claim it with their key. Retrying cannot help.',
    retryable: false,
  },
  'invalid-token': {
    hint: 'The service did not accept this token: read the board again for a fresh one (the claim is updated).',
    retryable: false,
  },
  'not-claimed': {
    hint: 'This team does not own the device (any more): there is nothing to change.',
    retryable: false,
  },
  refused: {
    hint: 'The service refused this change as it is: fix what it names in the service (a missing tag, say), then Retry; or discard it.',
    retryable: true,
  },
};

export const retryableFailures = failureKinds.filter((kind) => failureAdvice[kind].retryable);
