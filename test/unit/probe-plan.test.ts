import { describe, expect, it } from 'vitest';
import { probeWaits, readDeadlineMs } from '../../electron/core/probe-plan';

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

describe('how long a read may take before it gives up', () => {
  it("in auto mode: both dialects' probes, then listening for a token printed at boot", () => {
    expect(readDeadlineMs('auto', 5000)).toBe(2 * 3500 + 5000);
    expect(readDeadlineMs('auto', 1500)).toBeLessThanOrEqual(3 * 1500 + 600);
  });

  it('in any other mode: one deadline', () => {
    for (const mode of ['at', 'shell', 'passive'] as const) expect(readDeadlineMs(mode, 2000)).toBe(2000);
  });
});
