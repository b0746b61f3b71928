import type { ApiFailure } from './service-model';
import type { SyncStopReason } from '../shared/types';

export interface RetryPolicy {
  /** First retry waits up to this long; each further attempt doubles the ceiling. */
  baseMs: number;
  capMs: number;
  /** How long a 429 without Retry-After pauses the queue. */
  defaultRateLimitMs: number;
  /** Retry-After is held to this range: 0 or a negative value would be a tight loop, a year a dead queue. */
  minRateLimitMs: number;
  maxRateLimitMs: number;
  /** Rounds in a row in which the service gave no definite answer before a run gives up. */
  maxFailedRounds: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseMs: 2_000,
  capMs: 10 * 60_000,
  defaultRateLimitMs: 60_000,
  minRateLimitMs: 1_000,
  maxRateLimitMs: 48 * 3600_000,
  maxFailedRounds: 6,
};

/** Exponential backoff with full jitter: a random wait between 0 and the attempt's ceiling. */
export function backoffDelay(
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

/** How long a 429 pauses the whole queue: the service's Retry-After, held to a sane range. */
export function rateLimitPause(retryAfterMs: number | null | undefined, policy: RetryPolicy): number {
  const asked = retryAfterMs ?? policy.defaultRateLimitMs;
  return Math.min(policy.maxRateLimitMs, Math.max(policy.minRateLimitMs, asked));
}

export type Stop = { reason: SyncStopReason; message: string; retryAfterMs?: number | null };

/** What a failed call means for the whole queue, or for just the one entry. */
export type FailureVerdict =
  | { scope: 'queue'; stop: Stop; maybeSent: boolean }
  | { scope: 'entry'; action: 'fail'; message: string }
  | { scope: 'entry'; action: 'retry'; message: string; maybeSent: boolean };

export function judgeFailure(failure: ApiFailure): FailureVerdict {
  switch (failure.kind) {
    case 'auth':
      return {
        scope: 'queue',
        stop: { reason: failure.status === 401 ? 'key-rejected' : 'forbidden', message: failure.message },
        maybeSent: false,
      };
    case 'rate-limited':
      return {
        scope: 'queue',
        stop: {
          reason: 'rate-limited',
          message: `Rate limited by the service: ${failure.message}`,
          retryAfterMs: failure.retryAfterMs,
        },
        maybeSent: false,
      };
    case 'not-api':
      // Whatever answered is not the service: every further request would meet it too.
      return {
        scope: 'queue',
        stop: { reason: 'not-api', message: failure.message },
        maybeSent: failure.maybeSent,
      };
    case 'transient':
      // No HTTP answer at all: the network is down or the host unreachable; going on cannot help.
      return failure.status === null
        ? {
            scope: 'queue',
            stop: { reason: 'offline', message: failure.message },
            maybeSent: failure.maybeSent,
          }
        : { scope: 'entry', action: 'retry', message: failure.message, maybeSent: failure.maybeSent };
    case 'rejected':
      return { scope: 'entry', action: 'fail', message: failure.message };
  }
}
