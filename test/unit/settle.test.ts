import { describe, expect, it } from 'vitest';
import { settleVerdict } from '../../electron/core/settle';

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
      failure: 'not-claimed',
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
