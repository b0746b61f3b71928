import { describe, expect, it } from 'vitest';
import { formatMoment } from '../../electron/shared/format-time';

describe('a moment in the future, as the technician reads it', () => {
  const now = new Date(2026, 11, 1, 13, 0, 0).getTime();

  it('is the time alone later today', () => {
    const later = new Date(2026, 11, 1, 15, 40, 22).getTime();
    expect(formatMoment(later, now, 'en-GB')).toBe('15:40:22');
  });

  it('carries its date when it is another day (25 hours is not "today")', () => {
    const tomorrow = now + 25 * 3600_000;
    expect(formatMoment(tomorrow, now, 'en-GB')).toBe('2 Dec 2026, 14:00:00');
  });
});
