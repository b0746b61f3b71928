import { describe, expect, it } from 'vitest';
import { parseDevice } from '../../electron/adapters/api/answers';
import { mapBulkResult } from '../../electron/core/bulk-result';

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
