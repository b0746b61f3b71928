import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { useConnectedStation } from '../support/connected-station';
import { plugInBoard } from '../support/station';
import { makeToken } from '../support/tokens';

const KEY = 'reclaim-key';
const env = useConnectedStation(KEY);
let board: Awaited<ReturnType<typeof plugInBoard>>;

beforeEach(async () => {
  board = await plugInBoard();
});
afterEach(async () => {
  await board.unplug();
});

const readBoard = () =>
  env.station.app.station.read({ port: board.pty.appPath, tags: [], mode: 'auto', timeoutMs: 3000 });

async function syncCleanly(): Promise<void> {
  const summary = await env.station.app.sync.run();
  expect(summary.stopped).toBeNull();
  expect(summary.failed).toBe(0);
}

describe('a device unclaimed here can be claimed again', () => {
  it('from a fresh read of the board, and from an import; a claimed device read again stays a duplicate', async () => {
    const id = board.modem.config.deviceId;
    expect(await readBoard()).toMatchObject({ queued: true, duplicate: false });
    await syncCleanly();
    expect(env.sim.effectCount('claim', id)).toBe(1);
    // Still claimed: reading it again queues nothing.
    expect(await readBoard()).toMatchObject({ queued: false, duplicate: true });

    env.station.app.changes.device('unclaim', id);
    await syncCleanly();
    expect(env.sim.devices.has(id)).toBe(false);
    expect(await readBoard()).toMatchObject({ queued: true, duplicate: false });
    await syncCleanly();
    expect(env.sim.effectCount('claim', id)).toBe(2);
    expect(env.sim.devices.has(id)).toBe(true);

    env.station.app.changes.device('unclaim', id);
    await syncCleanly();
    const file = join(env.station.dataDir, 'again.csv');
    writeFileSync(file, toBulkCsv([{ token: makeToken({ deviceId: id }).token, tags: ['second-life'] }]));
    expect(await env.station.app.imports.importFile(file, [])).toEqual({
      queued: 1,
      duplicates: 0,
      rejected: [],
    });
    await syncCleanly();
    expect(env.sim.effectCount('claim', id)).toBe(3);
    expect(env.sim.effectCount('repeated-claim', id)).toBe(0);
    expect(env.sim.devices.get(id)?.tags).toEqual(['second-life']);
  });

  it('a claim read while its unclaim still waits goes in line behind the unclaim', async () => {
    const id = board.modem.config.deviceId;
    await readBoard();
    await syncCleanly();
    env.station.app.changes.device('unclaim', id);
    expect(await readBoard()).toMatchObject({ queued: true });
    expect(
      env.station.app.queue
        .list()
        .filter((e) => e.state !== 'done')
        .map((e) => e.kind),
    ).toEqual(['unclaim', 'claim']);
    await syncCleanly();
    expect(env.sim.effectCount('unclaim', id)).toBe(1);
    expect(env.sim.effectCount('claim', id)).toBe(2);
    expect(env.sim.devices.has(id)).toBe(true);
  });
});
