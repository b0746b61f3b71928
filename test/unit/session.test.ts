import { describe, expect, it } from 'vitest';
import type { SessionRead } from '../../electron/shared/types';
import { readsAfter, summarize, summaryWords } from '../../renderer/src/lib/session';

let nextId = 0;
const read = (
  outcome: SessionRead['outcome'],
  board: { serialNumber?: string; port?: string } = {},
): SessionRead => ({
  id: ++nextId,
  at: new Date().toISOString(),
  port: board.port ?? '/dev/ttyACM0',
  board: 'nRF9151 DK',
  serialNumber: board.serialNumber ?? null,
  deviceId: outcome === 'error' ? null : '6c1f0a2b-0000-0000-0000-000000000000',
  imei: null,
  tags: [],
  outcome,
  error: outcome === 'error' ? 'no answer' : null,
});
/** Reads as the session keeps them: newest first. */
const newestFirst = (...reads: SessionRead[]) => reads.reverse();

describe("the session's summary", () => {
  it('counts queued boards, duplicates, and boards whose last read failed', () => {
    const reads = newestFirst(
      read('queued', { serialNumber: 'A' }),
      read('duplicate', { serialNumber: 'A' }),
      read('error', { serialNumber: 'B' }),
      read('error', { serialNumber: 'C' }),
    );
    expect(summarize(reads)).toEqual({ queued: 1, needHand: 2, duplicates: 1 });
    expect(summaryWords(summarize(reads))).toBe('1 queued · 2 need a hand · 1 duplicate');
  });

  it('no longer needs a hand for a board read after its failure, and counts a board failing twice once', () => {
    const reads = newestFirst(
      read('error', { serialNumber: 'B' }),
      read('queued', { serialNumber: 'B' }),
      read('error', { port: '/dev/ttyACM4' }),
      read('error', { port: '/dev/ttyACM4' }),
    );
    expect(summarize(reads)).toEqual({ queued: 1, needHand: 1, duplicates: 0 });
    expect(summaryWords(summarize(reads))).toBe('1 queued · 1 needs a hand · 0 duplicates');
  });

  it('still needs a hand for a board that failed after it was read once', () => {
    const reads = newestFirst(read('queued', { serialNumber: 'D' }), read('error', { serialNumber: 'D' }));
    expect(summarize(reads).needHand).toBe(1);
  });
});

describe('outcomes the window has not told yet', () => {
  it('are those after the last one seen, oldest first', () => {
    const [a, b, c] = [read('queued'), read('error'), read('duplicate')];
    expect(readsAfter([c, b, a], a.id).map((r) => r.id)).toEqual([b.id, c.id]);
    expect(readsAfter([c, b, a], c.id)).toEqual([]);
  });
});
