import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Never a fixed sleep. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
