import type { EntryKind, FailureKind } from '../shared/types';

export { failureAdvice, isRetryable, retryableFailures } from '../shared/failures';

const deviceChanges = new Set<EntryKind>(['set-tags', 'block', 'unblock']);

/**
 * What kind of refusal failed an entry, from the status the service answered with (not its
 * wording): the screen's hint and whether retrying can help follow from it. A device owned by
 * another team is found by a look-up, and named so where that happens.
 */
export function failureKindOf(entry: { kind: EntryKind }, status: number | undefined): FailureKind {
  // Fieldclaim's own claim requests are well formed: a 400 for one is about its token.
  if (entry.kind === 'claim' && status === 400) return 'invalid-token';
  if (status === 404 && deviceChanges.has(entry.kind)) return 'not-claimed';
  return 'refused';
}
