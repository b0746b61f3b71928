import { failureKinds, type FailureKind } from './types';

// In shared: the window shows the same hint and offers Retry by the same rule the CLI and the
// queue service apply.
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
    hint: 'The service refused this change: if what it names can be fixed in nRF Cloud (a missing tag), fix it and Retry; if the change itself is wrong (a tag too long), discard it and make it again.',
    retryable: true,
  },
};

/** Whether Retry can help; an entry failed before kinds were recorded (null) is offered it. */
export const isRetryable = (failure: FailureKind | null) =>
  failure === null || failureAdvice[failure].retryable;

/** The kinds Retry takes, for the query that puts them back in line (with those of no kind). */
export const retryableFailures = failureKinds.filter(isRetryable);
