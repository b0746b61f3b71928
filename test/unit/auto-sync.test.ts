import { describe, expect, it, vi } from 'vitest';
import { AutoSync, type AutoSyncTarget } from '../../electron/services/auto-sync';

/** An app whose reachability probe answers only when the test says so. */
function slowProbeTarget() {
  let answer: (online: boolean) => void = () => {};
  const asked: string[] = [];
  const target: AutoSyncTarget = {
    probe: () => {
      asked.push('probe');
      return new Promise((resolve) => (answer = resolve));
    },
    sync: async () => {
      asked.push('sync');
      throw new Error('The database connection is not open');
    },
    hasWork: () => (asked.push('hasWork'), true),
    nextDueAt: () => null,
    setOnline: () => void asked.push('setOnline'),
    failed: (message) => void asked.push(`failed: ${message}`),
  };
  return { target, asked, answer: (online: boolean) => answer(online) };
}

describe('auto sync', () => {
  it('asks nothing more of the app once stopped while a probe is out, and reports no failure', async () => {
    const { target, asked, answer } = slowProbeTarget();
    const auto = new AutoSync(target, { probeIntervalMs: 60_000 });
    auto.start();
    expect(asked).toEqual(['probe']);
    auto.stop();
    answer(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['probe']);
  });

  it('reports a failed sync while running', async () => {
    const { target, asked, answer } = slowProbeTarget();
    const auto = new AutoSync(target, { probeIntervalMs: 60_000 });
    auto.start();
    answer(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual([
      'probe',
      'setOnline',
      'hasWork',
      'sync',
      'failed: The database connection is not open',
    ]);
    auto.stop();
  });
});

describe('auto sync while the service keeps failing', () => {
  it('waits twice as long after each sync that settled nothing, and starts afresh when poked', async () => {
    vi.useFakeTimers();
    try {
      const probes: number[] = [];
      const target: AutoSyncTarget = {
        probe: async () => (probes.push(Date.now()), true),
        sync: async () => ({ succeeded: 0, failed: 0, stopped: { reason: 'server-error' } }),
        hasWork: () => true,
        nextDueAt: () => Date.now(), // an entry due at once must not undercut the back-off
        setOnline: () => undefined,
        failed: () => undefined,
      };
      const auto = new AutoSync(target, { probeIntervalMs: 1_000, maxBackoffMs: 4_000 });
      auto.start();
      await vi.advanceTimersByTimeAsync(20_000);
      const gaps = probes.slice(1).map((t, i) => t - probes[i]!);
      expect(gaps.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
      probes.length = 0;
      auto.poke();
      await vi.advanceTimersByTimeAsync(1_500);
      expect(probes).toHaveLength(2);
      auto.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('auto sync after boards are read', () => {
  it('waits for a quiet moment: six boards read a second apart make one sync, not six', async () => {
    vi.useFakeTimers();
    try {
      const syncs: number[] = [];
      const target: AutoSyncTarget = {
        probe: async () => true,
        sync: async () => (syncs.push(Date.now()), { succeeded: 1, failed: 0, stopped: null }),
        hasWork: () => true,
        nextDueAt: () => null,
        setOnline: () => undefined,
        failed: () => undefined,
      };
      const auto = new AutoSync(target, { probeIntervalMs: 60_000, quietMs: 3_000, quietMaxMs: 15_000 });
      auto.start();
      await vi.advanceTimersByTimeAsync(10);
      syncs.length = 0; // the start-up sync
      const start = Date.now();
      for (let board = 0; board < 6; board++) {
        auto.pokeSoon();
        await vi.advanceTimersByTimeAsync(1_000);
      }
      expect(syncs).toEqual([]);
      await vi.advanceTimersByTimeAsync(2_500);
      expect(syncs.map((t) => t - start)).toEqual([8_000]);
      // A steady stream of reads still gets a sync within the longest wait.
      syncs.length = 0;
      const streamStart = Date.now();
      for (let board = 0; board < 20; board++) {
        auto.pokeSoon();
        await vi.advanceTimersByTimeAsync(1_000);
      }
      expect(syncs[0]! - streamStart).toBeLessThanOrEqual(15_000);
      auto.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
