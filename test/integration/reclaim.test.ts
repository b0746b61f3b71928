import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { ApiSimulator } from '../support/api-sim';
import { connectedStation, plugInBoard } from '../support/station';
import { makeToken } from '../support/tokens';

const KEY = 'reclaim-key';
let sim: ApiSimulator;
let station: ReturnType<typeof connectedStation>;
let board: Awaited<ReturnType<typeof plugInBoard>>;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  station = connectedStation(sim, KEY);
  board = await plugInBoard();
});
afterEach(async () => {
  await board.unplug();
  station.close();
  await sim.stop();
});

const readBoard = () =>
  station.app.station.read({ port: board.pty.appPath, tags: [], mode: 'auto', timeoutMs: 3000 });

async function syncCleanly(): Promise<void> {
  const summary = await station.app.sync.run();
  expect(summary.stopped).toBeNull();
  expect(summary.failed).toBe(0);
}

describe('a device unclaimed here can be claimed again', () => {
  it('from a fresh read of the board, and from an import; a claimed device read again stays a duplicate', async () => {
    const id = board.modem.config.deviceId;
    expect(await readBoard()).toMatchObject({ queued: true, duplicate: false });
    await syncCleanly();
    expect(sim.effectCount('claim', id)).toBe(1);
    // Still claimed: reading it again queues nothing.
    expect(await readBoard()).toMatchObject({ queued: false, duplicate: true });

    station.app.changes.device('unclaim', id);
    await syncCleanly();
    expect(sim.devices.has(id)).toBe(false);
    expect(await readBoard()).toMatchObject({ queued: true, duplicate: false });
    await syncCleanly();
    expect(sim.effectCount('claim', id)).toBe(2);
    expect(sim.devices.has(id)).toBe(true);

    station.app.changes.device('unclaim', id);
    await syncCleanly();
    const file = join(station.dataDir, 'again.csv');
    writeFileSync(file, toBulkCsv([{ token: makeToken({ deviceId: id }).token, tags: ['second-life'] }]));
    expect(await station.app.imports.importFile(file, [])).toEqual({
      queued: 1,
      duplicates: 0,
      rejected: [],
    });
    await syncCleanly();
    expect(sim.effectCount('claim', id)).toBe(3);
    expect(sim.effectCount('repeated-claim', id)).toBe(0);
    expect(sim.devices.get(id)?.tags).toEqual(['second-life']);
  });

  it('a claim read while its unclaim still waits goes in line behind the unclaim', async () => {
    const id = board.modem.config.deviceId;
    await readBoard();
    await syncCleanly();
    station.app.changes.device('unclaim', id);
    expect(await readBoard()).toMatchObject({ queued: true });
    expect(
      station.app.queue
        .list()
        .filter((e) => e.state !== 'done')
        .map((e) => e.kind),
    ).toEqual(['unclaim', 'claim']);
    await syncCleanly();
    expect(sim.effectCount('unclaim', id)).toBe(1);
    expect(sim.effectCount('claim', id)).toBe(2);
    expect(sim.devices.has(id)).toBe(true);
  });
});
