import { describe, expect, it } from 'vitest';
import { parseDevice } from '../../electron/adapters/api/provisioning-client';
import { mapBulkResult } from '../../electron/core/bulk-result';
import { backoffDelay, defaultRetryPolicy, judgeFailure } from '../../electron/core/retry-policy';
import { settleVerdict } from '../../electron/core/settle';

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

describe('settling an entry whose outcome is unknown', () => {
  const device = (over: object = {}) => ({
    device: {
      id: 'd',
      deviceType: null,
      imei: null,
      tags: ['a'],
      status: 'READY',
      claimedAt: null,
      raw: {},
      ...over,
    },
  });
  it('claims and unclaims by whether the team sees the device', () => {
    expect(settleVerdict({ kind: 'claim', payload: {} }, device())).toEqual({ verdict: 'done' });
    expect(settleVerdict({ kind: 'claim', payload: {} }, { device: null })).toEqual({ verdict: 'resend' });
    expect(settleVerdict({ kind: 'unclaim', payload: {} }, { device: null })).toEqual({ verdict: 'done' });
    expect(settleVerdict({ kind: 'unclaim', payload: {} }, device())).toEqual({ verdict: 'resend' });
  });
  it('block, unblock and tags by the device state', () => {
    expect(settleVerdict({ kind: 'block', payload: {} }, device({ status: 'BLOCKED' }))).toEqual({
      verdict: 'done',
    });
    expect(settleVerdict({ kind: 'block', payload: {} }, device())).toEqual({ verdict: 'resend' });
    expect(settleVerdict({ kind: 'unblock', payload: {} }, device())).toEqual({ verdict: 'done' });
    expect(settleVerdict({ kind: 'block', payload: {} }, { device: null })).toMatchObject({
      verdict: 'failed',
    });
    expect(settleVerdict({ kind: 'set-tags', payload: { tags: ['a'] } }, device())).toEqual({
      verdict: 'done',
    });
    expect(settleVerdict({ kind: 'set-tags', payload: { tags: ['a', 'b'] } }, device())).toEqual({
      verdict: 'resend',
    });
  });
  it('tag changes by the tag list', () => {
    const tags = (...names: string[]) => ({
      tags: names.map((tag) => ({ id: null, tag, description: '', createdAt: null })),
    });
    expect(settleVerdict({ kind: 'tag-create', payload: { tag: 'x' } }, tags('x'))).toEqual({
      verdict: 'done',
    });
    expect(settleVerdict({ kind: 'tag-create', payload: { tag: 'x' } }, tags())).toEqual({
      verdict: 'resend',
    });
    expect(settleVerdict({ kind: 'tag-delete', payload: { tag: 'x' } }, tags())).toEqual({ verdict: 'done' });
    expect(settleVerdict({ kind: 'tag-update', payload: { tag: 'x', to: 'y' } }, tags('y'))).toEqual({
      verdict: 'done',
    });
    expect(settleVerdict({ kind: 'tag-update', payload: { tag: 'x', to: 'y' } }, tags('x'))).toEqual({
      verdict: 'resend',
    });
  });
});

describe('mapping a bulk claim response to its rows', () => {
  const rows = [
    { deviceId: 'aaaaaaaa-0000-0000-0000-000000000001', token: 'tok1.sig' },
    { deviceId: 'aaaaaaaa-0000-0000-0000-000000000002', token: 'tok2.sig' },
    { deviceId: 'aaaaaaaa-0000-0000-0000-000000000003', token: 'tok3.sig' },
  ];
  const fates = (status: number, body: unknown) =>
    mapBulkResult(rows, status, body, parseDevice).map((f) => f.fate);

  it('reads devices under items, failures as {row, message}', () => {
    const result = mapBulkResult(
      rows,
      200,
      { items: [{ id: rows[0]!.deviceId.toUpperCase() }], failed: [{ row: 2, message: 'Invalid token' }] },
      parseDevice,
    );
    expect(result).toEqual([
      expect.objectContaining({ fate: 'done' }),
      { fate: 'failed', message: 'Invalid token' },
      { fate: 'unclear', hint: null },
    ]);
  });
  it('reads claimedDevices with failed row numbers, and claimedIds', () => {
    expect(fates(200, { claimedDevices: [{ id: rows[2]!.deviceId }], failed: [1] })).toEqual([
      'failed',
      'unclear',
      'done',
    ]);
    expect(fates(200, { claimedIds: [rows[1]!.deviceId], failed: [] })).toEqual([
      'unclear',
      'done',
      'unclear',
    ]);
  });
  it('places failures given as the raw row text', () => {
    expect(fates(200, { items: [], failed: ['tok3.sig,"a,b"'] })).toEqual(['unclear', 'unclear', 'failed']);
  });
  it('turns "already claimed" into a look-up, not a failure', () => {
    expect(
      mapBulkResult(rows, 200, { failed: [{ row: 1, message: 'Device already claimed' }] }, parseDevice)[0],
    ).toEqual({
      fate: 'unclear',
      hint: 'Device already claimed',
    });
  });
  it('leaves everything unclear for the legacy 202 and for bodies it cannot read', () => {
    expect(fates(202, { bulkOpsRequestId: 'x' })).toEqual(['unclear', 'unclear', 'unclear']);
    expect(fates(200, 'nonsense')).toEqual(['unclear', 'unclear', 'unclear']);
    expect(fates(200, { failed: [99, -1, null, { row: 'x' }] })).toEqual(['unclear', 'unclear', 'unclear']);
  });
});
