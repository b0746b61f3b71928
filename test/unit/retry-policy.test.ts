import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../electron/adapters/api/answers';
import {
  backoffDelay,
  defaultRetryPolicy,
  judgeFailure,
  rateLimitPause,
} from '../../electron/core/retry-policy';

describe('how long a 429 pauses the queue', () => {
  it('holds Retry-After 0, negative and past dates to a second: never a tight loop', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    for (const header of ['0', '-5', '0.2', 'Tue, 01 Dec 2026 09:00:00 GMT'])
      expect(rateLimitPause(parseRetryAfter(header, now), defaultRetryPolicy)).toBe(1_000);
  });

  it('takes the service at its word within two days, and cuts a longer pause there', () => {
    expect(rateLimitPause(parseRetryAfter('90000'), defaultRetryPolicy)).toBe(90_000_000);
    expect(rateLimitPause(parseRetryAfter(String(10 * 365 * 86400)), defaultRetryPolicy)).toBe(48 * 3600_000);
  });

  it('pauses a minute when the service gives no Retry-After (or one it cannot read)', () => {
    expect(rateLimitPause(parseRetryAfter(null), defaultRetryPolicy)).toBe(60_000);
    expect(rateLimitPause(parseRetryAfter('soon'), defaultRetryPolicy)).toBe(60_000);
  });
});

describe('what a failure means for the queue', () => {
  it('stops the whole queue when something other than the API answers, keeping whether it may have been sent', () => {
    expect(judgeFailure({ kind: 'not-api', status: 200, message: 'a web page', maybeSent: true })).toEqual({
      scope: 'queue',
      stop: { reason: 'not-api', message: 'a web page' },
      maybeSent: true,
    });
  });
});

describe('what a failed call means', () => {
  it('stops the queue on auth, rate limits and no network; retries 5xx; fails 400/422', () => {
    expect(judgeFailure({ kind: 'auth', status: 401, message: 'bad' })).toMatchObject({
      scope: 'queue',
      stop: { reason: 'key-rejected' },
    });
    expect(judgeFailure({ kind: 'auth', status: 403, message: 'viewer' })).toMatchObject({
      stop: { reason: 'forbidden' },
    });
    expect(judgeFailure({ kind: 'rate-limited', retryAfterMs: 5000, message: '' })).toMatchObject({
      scope: 'queue',
      stop: { reason: 'rate-limited', retryAfterMs: 5000 },
    });
    expect(
      judgeFailure({ kind: 'transient', status: null, message: 'ECONNREFUSED', maybeSent: false }),
    ).toMatchObject({
      scope: 'queue',
      stop: { reason: 'offline' },
      maybeSent: false,
    });
    expect(judgeFailure({ kind: 'transient', status: 503, message: '', maybeSent: true })).toEqual({
      scope: 'entry',
      action: 'retry',
      message: '',
      maybeSent: true,
    });
    expect(judgeFailure({ kind: 'rejected', status: 422, message: 'tag too long', raw: '' })).toEqual({
      scope: 'entry',
      action: 'fail',
      message: 'tag too long',
    });
  });
});

describe('backoff', () => {
  const policy = { ...defaultRetryPolicy, baseMs: 1000, capMs: 60_000 };
  it('doubles the ceiling each attempt and never exceeds the cap (full jitter: 0..ceiling)', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(3996);
    expect(backoffDelay(30, policy, () => 0.999)).toBe(59_940);
    expect(backoffDelay(5, policy, () => 0)).toBe(0);
  });
});
