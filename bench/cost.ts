import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toBulkCsv } from '../electron/adapters/csv/bulk-csv';
import { openDatabase } from '../electron/adapters/db/database';
import { DevicesRepository } from '../electron/adapters/db/devices-repo';
import { OutboxRepository } from '../electron/adapters/db/outbox-repo';
import { Fieldclaim } from '../electron/services/fieldclaim';
import { startSimulatorProcess } from '../test/support/api-sim-process';
import { cliPath } from '../test/support/cli';
import { queueClaims } from '../test/support/queue';
import { memorySecretBackend } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { makeToken, randomDeviceId } from '../test/support/tokens';
import { median, round } from './stats';

/**
 * Issue 16's figures: what a sync, a refresh, the CLI's reads and an import cost as the team and
 * the outbox grow. Requests and bytes are counted by the simulator, as a proxy in front would.
 */

const KEY = 'cost-bench-key';

type Stats = { requests: number; listRequests: number; bytes: number };
const stats = async (baseUrl: string): Promise<Stats> =>
  (await (await fetch(new URL('/__stats', baseUrl))).json()) as Stats;
const delta = (a: Stats, b: Stats) => ({
  requests: b.requests - a.requests,
  listRequests: b.listRequests - a.listRequests,
  megabytes: round((b.bytes - a.bytes) / 1e6, 3),
});

function app(dataDir: string, baseUrl: string): Fieldclaim {
  return new Fieldclaim({
    dataDir,
    secretBackend: memorySecretBackend(KEY),
    settingsOverrides: { apiUrl: baseUrl },
    userAgent: 'Fieldclaim/bench',
  });
}

/** 20 new boards claimed for a team of N, with a local copy refreshed earlier; then the same sync again, nothing queued. */
export async function benchSyncAtScale(teams = [0, 10_000, 50_000], claims = 20, latencyMs = 200) {
  const rows = [];
  for (const team of teams) {
    const sim = await startSimulatorProcess(KEY, latencyMs, team);
    const dir = tempDir('fieldclaim-bench-');
    const fc = app(dir.path, sim.baseUrl);
    try {
      let before = await stats(sim.baseUrl);
      let start = performance.now();
      await fc.sync.refreshNow();
      const firstRefresh = {
        seconds: round((performance.now() - start) / 1000, 2),
        ...delta(before, await stats(sim.baseUrl)),
      };
      // The key's role is asked once per key: ask it now, as an earlier session would have.
      await fc.sync.run();
      queueClaims(
        dir.path,
        Array.from({ length: claims }, () => makeToken()),
      );
      before = await stats(sim.baseUrl);
      start = performance.now();
      const summary = await fc.sync.run();
      if (summary.succeeded !== claims) throw new Error(`claimed ${summary.succeeded} of ${claims}`);
      const sync = {
        seconds: round((performance.now() - start) / 1000, 2),
        ...delta(before, await stats(sim.baseUrl)),
      };
      before = await stats(sim.baseUrl);
      start = performance.now();
      await fc.sync.run();
      const idle = {
        seconds: round((performance.now() - start) / 1000, 2),
        ...delta(before, await stats(sim.baseUrl)),
      };
      rows.push({ team, firstRefresh, sync, idle });
    } finally {
      fc.close();
      dir.remove();
      await sim.stop();
    }
  }
  const [zero] = rows;
  const largest = rows.at(-1)!;
  return {
    latencyMs,
    claims,
    rows,
    targets: {
      wallAtLargestOverZero: round(largest.sync.seconds / zero!.sync.seconds, 2),
      wallTarget: 1.5,
      extraRequestsAtLargest: largest.sync.requests - zero!.sync.requests,
      extraRequestsTarget: 2,
      idleRequestsMax: Math.max(...rows.map((r) => r.idle.requests)),
      idleRequestsTarget: 2,
    },
  };
}

/** A refresh of N devices stopped half way and resumed: its requests against one uninterrupted pass. */
export async function benchRefreshResume(team = 50_000, latencyMs = 200) {
  const sim = await startSimulatorProcess(KEY, latencyMs, team);
  try {
    const whole = tempDir('fieldclaim-bench-');
    const once = app(whole.path, sim.baseUrl);
    let before = await stats(sim.baseUrl);
    let start = performance.now();
    await once.sync.refreshNow();
    const onePass = {
      seconds: round((performance.now() - start) / 1000, 2),
      ...delta(before, await stats(sim.baseUrl)),
    };
    once.close();
    whole.remove();

    const dir = tempDir('fieldclaim-bench-');
    const fc = app(dir.path, sim.baseUrl);
    before = await stats(sim.baseUrl);
    start = performance.now();
    const half = onePass.listRequests / 2;
    const off = fc.on('refreshProgress', (p) => {
      if (p.pages >= half) fc.sync.cancelRefresh();
    });
    const first = await fc.sync.refreshNow();
    off();
    const second = await fc.sync.refreshNow();
    const resumed = {
      seconds: round((performance.now() - start) / 1000, 2),
      ...delta(before, await stats(sim.baseUrl)),
    };
    const devices = fc.devices.page({}, 0, 1).total;
    fc.close();
    dir.remove();
    if (!first.cancelled || second.stopped || devices !== team)
      throw new Error('the resumed refresh did not complete');
    return {
      team,
      latencyMs,
      onePass,
      interruptedThenResumed: resumed,
      listRequestsOverOnePass: round(resumed.listRequests / onePass.listRequests, 3),
      target: 1.1,
    };
  } finally {
    await sim.stop();
  }
}

/** A process's anonymous memory now (its heaps; not the pages of the Node binary it runs), in KiB. */
function anonymousKib(pid: number): number {
  try {
    return Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * The built CLI, with its peak memory: the whole resident set (a preloaded hook reports it at
 * exit) and the anonymous part, sampled from outside. The whole set also counts the pages of the
 * Node binary a process touches, which grow with how long it runs (the optimising compiler's code),
 * not with its work: the anonymous part is what an import's data can grow.
 */
function runMeasured(
  args: string[],
): Promise<{ seconds: number; peakMb: number; peakAnonymousMb: number; code: number | null }> {
  const hook = resolve(__dirname, 'peak-rss.cjs');
  const report = join(tempDir('fieldclaim-rss-').path, 'rss');
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['-r', hook, cliPath, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FIELDCLAIM_PEAK_RSS_FILE: report },
    });
    let anonymous = 0;
    const sampling = setInterval(() => (anonymous = Math.max(anonymous, anonymousKib(child.pid!))), 20);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampling);
      resolvePromise({
        seconds: (performance.now() - start) / 1000,
        peakMb: round(Number(readFileSync(report, 'utf8')) / 1024, 1),
        peakAnonymousMb: round(anonymous / 1024, 1),
        code,
      });
    });
  });
}

/** A data folder with 100,000 devices and 500,000 outbox entries (most done), as after months at a station. */
export function seedLargeFolder(
  devices = 100_000,
  entries = 500_000,
): { dir: ReturnType<typeof tempDir>; imei: string } {
  const dir = tempDir('fieldclaim-bench-large-');
  const db = openDatabase(dir.path);
  const repo = new DevicesRepository(db);
  for (let from = 0; from < devices; from += 10_000)
    repo.upsertPage(
      Array.from({ length: Math.min(10_000, devices - from) }, (_v, k) => {
        const i = from + k;
        const id = randomDeviceId();
        return {
          id,
          deviceType: 'nrf9151_LACA',
          imei: String(351358800000000 + i),
          tags: i % 100 ? [`batch-${i % 7}`] : ['zone=north', `batch-${i % 7}`],
          status: 'READY',
          claimedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
          raw: { id },
        };
      }),
      1,
    );
  const outbox = new OutboxRepository(db);
  for (let from = 0; from < entries; from += 50_000)
    outbox.enqueueClaimBatches([
      Array.from({ length: Math.min(50_000, entries - from) }, (_v, k) => ({
        deviceId: randomDeviceId(),
        payloadJson: JSON.stringify({
          token: 'x.y',
          tags: ['site=bench'],
          imei: String(351358900000000 + from + k),
        }),
      })),
    ]);
  // Nine in ten are long done (but within the retention period, so still in the outbox).
  db.prepare(`UPDATE outbox SET state = 'done' WHERE seq % 10 <> 0`).run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { dir, imei: String(351358800000000 + 77_777) };
}

/** Whole CLI processes against the large folder: each command's wall time (median of 5) and peak memory. */
export async function benchCliAtScale(repeat = 5) {
  const { dir, imei } = seedLargeFolder();
  try {
    const measure = async (args: string[]) => {
      const runs = [];
      for (let i = 0; i < repeat; i++) runs.push(await runMeasured(['--data-dir', dir.path, ...args]));
      if (runs.some((r) => r.code !== 0)) throw new Error(`${args.join(' ')} failed`);
      return {
        medianMs: Math.round(median(runs.map((r) => r.seconds)) * 1000),
        peakMb: Math.max(...runs.map((r) => r.peakMb)),
      };
    };
    return {
      devices: 100_000,
      outboxEntries: 500_000,
      help: await measure(['--help']),
      tags: await measure(['tags']),
      devicesSearchOne: await measure(['devices', '--search', imei]),
      queueFirstPage: await measure(['queue', '--limit', '100']),
      devicesJsonAll: await measure(['devices', '--json']),
      targets: { wallMs: 100, devicesJsonPeakMb: 150 },
    };
  } finally {
    dir.remove();
  }
}

/** The CLI importing 10,000 and 500,000 rows: its peak memory should not grow with the file. */
export async function benchImportMemory(sizes = [10_000, 100_000, 500_000]) {
  const rows = [];
  for (const size of sizes) {
    const dir = tempDir('fieldclaim-bench-');
    try {
      const file = join(dir.path, 'tokens.csv');
      writeFileSync(
        file,
        toBulkCsv(Array.from({ length: size }, () => ({ token: makeToken().token, tags: [] }))),
      );
      const run = await runMeasured(['--data-dir', join(dir.path, 'data'), 'import', file]);
      if (run.code !== 0) throw new Error(`importing ${size} rows failed`);
      rows.push({
        rows: size,
        seconds: round(run.seconds, 2),
        peakMb: run.peakMb,
        peakAnonymousMb: run.peakAnonymousMb,
      });
    } finally {
      dir.remove();
    }
  }
  return {
    rows,
    peakDifferenceMb: round(rows.at(-1)!.peakMb - rows[0]!.peakMb, 1),
    peakAnonymousDifferenceMb: round(rows.at(-1)!.peakAnonymousMb - rows[0]!.peakAnonymousMb, 1),
    targetMb: 30,
  };
}
