import { describe, expect, it } from 'vitest';
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
