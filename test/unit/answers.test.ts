import { describe, expect, it } from 'vitest';
import { parseDevice, parseDevicePage, parseRetryAfter } from '../../electron/adapters/api/answers';

describe('response parsers', () => {
  it('reads the documented device object and keeps unknown fields in raw', () => {
    const raw = { id: 'ABC', deviceType: 'nrf9160_SICA', tags: ['a', 3], status: 'READY', extra: 1 };
    expect(parseDevice(raw)).toMatchObject({
      id: 'abc',
      deviceType: 'nrf9160_SICA',
      tags: ['a'],
      status: 'READY',
      raw,
    });
  });
  it('accepts a boolean blocked flag', () => {
    expect(parseDevice({ id: 'x', blocked: true })?.status).toBe('BLOCKED');
  });
  it('takes a page only with its items list, skipping items that are not devices', () => {
    expect(parseDevicePage({})).toBeUndefined();
    expect(parseDevicePage('<html>')).toBeUndefined();
    expect(parseDevicePage({ items: [], total: 0 })).toEqual({ items: [], next: null, total: 0 });
    expect(parseDevicePage({ items: [{ id: 'a' }, { nope: 1 }], pageNextToken: 't' })?.items).toHaveLength(1);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    const now = Date.parse('2026-11-28T10:00:00Z');
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
