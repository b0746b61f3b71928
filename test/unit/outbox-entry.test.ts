import { describe, expect, it } from 'vitest';
import { decideClaim, mergeClaims, type ClaimHistoryEntry } from '../../electron/core/outbox-entry';

const claim = (seq: number, state: ClaimHistoryEntry['state'], uncertain = false): ClaimHistoryEntry => ({
  seq,
  kind: 'claim',
  state,
  uncertain,
});
const unclaim = (seq: number, state: ClaimHistoryEntry['state']): ClaimHistoryEntry => ({
  seq,
  kind: 'unclaim',
  state,
  uncertain: false,
});

describe('whether a read or imported claim is queued', () => {
  it('queues a device the outbox has never claimed', () => {
    expect(decideClaim([])).toEqual({ action: 'queue-new' });
  });

  it('refreshes an unsent claim (pending or failed) instead of queueing another', () => {
    expect(decideClaim([claim(3, 'pending')])).toEqual({ action: 'refresh', seq: 3 });
    expect(decideClaim([claim(3, 'failed')])).toEqual({ action: 'refresh', seq: 3 });
  });

  it('leaves alone a claim that may have reached the service', () => {
    expect(decideClaim([claim(3, 'sending')])).toEqual({ action: 'in-flight', seq: 3 });
    expect(decideClaim([claim(3, 'pending', true)])).toEqual({ action: 'in-flight', seq: 3 });
  });

  it('calls a device claimed here a duplicate, until an unclaim comes after its claim', () => {
    expect(decideClaim([claim(3, 'done')])).toEqual({ action: 'already-claimed', seq: 3 });
    expect(decideClaim([claim(3, 'done'), unclaim(5, 'done')])).toEqual({ action: 'queue-new' });
    expect(decideClaim([claim(3, 'done'), unclaim(5, 'pending')])).toEqual({ action: 'queue-new' });
    // An unclaim before the newest claim, or one that failed, leaves the device claimed.
    expect(decideClaim([unclaim(2, 'done'), claim(3, 'done')])).toEqual({
      action: 'already-claimed',
      seq: 3,
    });
    expect(decideClaim([claim(3, 'done'), unclaim(5, 'failed')])).toEqual({
      action: 'already-claimed',
      seq: 3,
    });
  });

  it('judges by the newest claim, whatever order the history comes in', () => {
    expect(decideClaim([claim(9, 'pending'), claim(3, 'done'), unclaim(5, 'done')])).toEqual({
      action: 'refresh',
      seq: 9,
    });
  });
});

describe('two reads of one device', () => {
  it('keep the newest token, the tags of both, and an IMEI once read', () => {
    expect(
      mergeClaims(
        { token: 'old', tags: ['a', 'b'], imei: '351358815178345' },
        { token: 'new', tags: ['b', 'c'], imei: null },
      ),
    ).toEqual({ token: 'new', tags: ['a', 'b', 'c'], imei: '351358815178345' });
  });
});
