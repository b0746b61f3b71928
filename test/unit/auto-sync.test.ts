import { afterEach, describe, expect, it, vi } from 'vitest';
import { AutoSync, type AutoSyncTarget } from '../../electron/services/auto-sync';

afterEach(() => vi.restoreAllMocks());

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
  };
  return { target, asked, answer: (online: boolean) => answer(online) };
}

describe('auto sync', () => {
  it('asks nothing more of the app once stopped while a probe is out, and logs nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { target, asked, answer } = slowProbeTarget();
    const auto = new AutoSync(target, { probeIntervalMs: 60_000 });
    auto.start();
    expect(asked).toEqual(['probe']);
    auto.stop();
    answer(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['probe']);
    expect(errors).not.toHaveBeenCalled();
  });

  it('logs a failed sync while running', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { target, asked, answer } = slowProbeTarget();
    const auto = new AutoSync(target, { probeIntervalMs: 60_000 });
    auto.start();
    answer(true);
    await vi.waitFor(() =>
      expect(errors).toHaveBeenCalledWith('fieldclaim: auto sync failed:', expect.any(String)),
    );
    expect(asked).toEqual(['probe', 'setOnline', 'hasWork', 'sync']);
    auto.stop();
  });
});
