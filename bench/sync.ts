import { toBulkCsv } from '../electron/adapters/csv/bulk-csv';
import { Fieldclaim } from '../electron/services/fieldclaim';
import { startSimulatorProcess } from '../test/support/api-sim-process';
import { memorySecretBackend } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { makeToken, type MadeToken } from '../test/support/tokens';
import { round } from './stats';
import { queueClaims } from '../test/support/queue';

const KEY = 'bench-key';

/** The simulator runs in its own process, like the real service: its work does not share the client's thread. */
const simulator = (latencyMs: number) => startSimulatorProcess(KEY, latencyMs);

/** The app: queued claims synced through the outbox (bulk requests), until the last is settled. */
async function appSync(tokens: MadeToken[], latencyMs: number): Promise<number> {
  const sim = await simulator(latencyMs);
  const dir = tempDir('fieldclaim-bench-');
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(KEY),
    settingsOverrides: { apiUrl: sim.baseUrl },
    userAgent: 'Fieldclaim/bench',
  });
  try {
    // The key's role is asked once per key, on its first sync: asked here before the measured one,
    // as a station's earlier syncs would have (the send phase is what is compared).
    await app.sync.run();
    queueClaims(dir.path, tokens);
    // The send phase: until the last claim is settled (the device-list refresh that follows is not part of it).
    let sentAt = 0;
    const start = performance.now();
    app.on('syncProgress', (p) => {
      if (p.sent === tokens.length && sentAt === 0) sentAt = performance.now();
    });
    const summary = await app.sync.run();
    if (summary.succeeded !== tokens.length)
      throw new Error(`app sync claimed ${summary.succeeded} of ${tokens.length}`);
    return (sentAt - start) / 1000;
  } finally {
    app.close();
    dir.remove();
    await sim.stop();
  }
}

/** The same bulk requests posted straight to the simulator: the floor the app is measured against. */
async function directBulk(tokens: MadeToken[], latencyMs: number, batch = 1000): Promise<number> {
  const sim = await simulator(latencyMs);
  try {
    const start = performance.now();
    for (let i = 0; i < tokens.length; i += batch) {
      const response = await fetch(`${sim.baseUrl}claimed-devices`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'text/csv' },
        body: toBulkCsv(tokens.slice(i, i + batch).map((t) => ({ token: t.token, tags: [] }))),
      });
      await response.text();
    }
    return (performance.now() - start) / 1000;
  } finally {
    await sim.stop();
  }
}

/** One claim per request, one after another: what the documentation's curl loop does. */
async function sequentialSingle(tokens: MadeToken[], latencyMs: number): Promise<number> {
  const sim = await simulator(latencyMs);
  try {
    const start = performance.now();
    for (const t of tokens) {
      const response = await fetch(`${sim.baseUrl}claimed-devices`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ claimToken: t.token }),
      });
      if (response.status !== 201) throw new Error(`sequential claim answered ${response.status}`);
    }
    return (performance.now() - start) / 1000;
  } finally {
    await sim.stop();
  }
}

/**
 * 5000 claims at 50 ms latency. The sequential client is measured on `sequentialSample` claims and
 * scaled linearly (each claim is one round trip), unless the sample is the whole set.
 */
export async function benchSync(count = 5000, latencyMs = 50, sequentialSample = 500) {
  // Warm both paths up (JIT, sockets) so neither pays for it inside the measurement.
  const warmUp = Array.from({ length: 300 }, () => makeToken());
  await appSync(warmUp, 0);
  await directBulk(warmUp, 0, 100);
  const tokens = Array.from({ length: count }, () => makeToken());
  const app = await appSync(tokens, latencyMs);
  const direct = await directBulk(tokens, latencyMs);
  const sample = Math.min(sequentialSample, count);
  const sequentialMeasured = await sequentialSingle(tokens.slice(0, sample), latencyMs);
  const sequential = (sequentialMeasured * count) / sample;
  return {
    claims: count,
    latencyMs,
    appSeconds: round(app),
    directBulkSeconds: round(direct),
    sequentialSeconds: round(sequential),
    sequentialMeasuredOn: sample,
    speedupOverSequential: round(sequential / app, 1),
    ratioToDirectBulk: round(app / direct, 2),
    targets: { speedupOverSequential: 50, ratioToDirectBulk: 1.3 },
  };
}
