import { Fieldclaim } from '../electron/services/fieldclaim';
import { startSimulatorProcess } from '../test/support/api-sim-process';
import { memorySecretBackend } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { round } from './stats';

/** Pulling `count` devices in pages of 100 at `latencyMs`: the time, and the share not spent waiting on the network. */
export async function benchDevicePull(count = 100_000, latencyMs = 20) {
  const sim = await startSimulatorProcess('bench-key', latencyMs, count);
  const dir = tempDir('fieldclaim-bench-');
  let waitingMs = 0;
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend('bench-key'),
    settingsOverrides: { apiUrl: sim.baseUrl },
    userAgent: 'bench',
    fetch: async (url, init) => {
      const start = performance.now();
      const response = await fetch(url, init);
      const body = await response.arrayBuffer();
      waitingMs += performance.now() - start;
      return new Response(body, { status: response.status, headers: response.headers });
    },
  });
  try {
    const start = performance.now();
    const summary = await app.sync.run();
    const totalMs = performance.now() - start;
    if (summary.devices !== count) throw new Error(`pulled ${summary.devices} of ${count}`);
    return {
      devices: count,
      pageSize: 100,
      latencyMs,
      seconds: round(totalMs / 1000, 2),
      networkWaitSeconds: round(waitingMs / 1000, 2),
      shareOutsideNetworkWait: round((totalMs - waitingMs) / totalMs, 3),
    };
  } finally {
    app.close();
    dir.remove();
    await sim.stop();
  }
}
