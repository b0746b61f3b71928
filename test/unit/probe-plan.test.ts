import { describe, expect, it } from 'vitest';
import { probeWaits } from '../../electron/core/probe-plan';

describe("auto mode's probe waits", () => {
  it('try each dialect three times, longer each time, within the read deadline', () => {
    expect(probeWaits(5000)).toEqual([500, 1000, 2000]);
    const short = probeWaits(1500);
    expect(short.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1500);
    expect(short).toEqual([...short].sort((a, b) => a - b));
  });

  it('never wait too short for a board to answer at all', () => {
    expect(Math.min(...probeWaits(100))).toBeGreaterThanOrEqual(200);
  });
});
