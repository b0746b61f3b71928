import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { ApiSimulator, isBulkClaim } from '../support/api-sim';
import { connectedStation, openTestApp } from '../support/station';
import { makeToken, type MadeToken } from '../support/tokens';
import { waitFor } from '../support/wait';

const KEY = 'auto-key';
let sim: ApiSimulator;
let station: ReturnType<typeof openTestApp>;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  station = connectedStation(sim, KEY);
});
afterEach(async () => {
  station.close();
  await sim.stop();
});

describe('auto sync', () => {
  it('notices the API is unreachable, then syncs by itself when it answers again', async () => {
    const t = makeToken();
    const db = openDatabase(station.dataDir);
    new OutboxRepository(db).enqueueClaim(t.deviceId, { token: t.token, tags: [], imei: null });
    db.close();
    await sim.stop();
    let online: boolean | null = null;
    station.app.on('statusChanged', (status) => (online = status.online));
    station.app.sync.startAuto(25);
    await waitFor(() => online === false, 'offline to be noticed');
    expect(station.app.queue.list()[0]?.state).toBe('pending');
    expect(sim.effectCount('claim', t.deviceId)).toBe(0);
    await sim.start();
    await waitFor(
      () => station.app.queue.list()[0]?.state === 'done',
      'the claim to be sent once the API answers',
    );
    await waitFor(() => online === true, 'online to be noticed');
    expect(sim.effectCount('claim', t.deviceId)).toBe(1);
  });

  it('waits for a burst of boards to end, then sends them in one bulk request', async () => {
    const queueOne = async (t: MadeToken) => {
      const csv = Buffer.from(toBulkCsv([{ token: t.token, tags: [] }]));
      const preview = await station.app.imports.previewBytes('one.csv', csv);
      station.app.imports.commitPreview(preview.id, []);
    };
    const allDone = () => station.app.queue.list().every((e) => e.state === 'done');
    // A first board, synced on its own (the key's role is asked then, once).
    await queueOne(makeToken());
    let syncing = true;
    station.app.on('statusChanged', (status) => (syncing = status.syncing));
    station.app.sync.startAuto(60_000);
    await waitFor(() => allDone() && !syncing, 'the first board to be sent, and that sync to end');
    const before = sim.requests.length;
    const tokens = Array.from({ length: 6 }, () => makeToken());
    for (const t of tokens) {
      // A board read every 200 ms: each one is work queued, none starts a sync of its own.
      await queueOne(t);
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor(allDone, 'the burst to be sent', 20_000);
    const sent = sim.requests.slice(before).filter((r) => r.method === 'POST');
    expect(sent).toHaveLength(1);
    expect(sent.filter(isBulkClaim)).toHaveLength(1);
    for (const t of tokens) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
  });

  it('settles at start-up what a crash left half-sent, without sending it again', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1'); // the request reached the service before the crash
    const db = openDatabase(station.dataDir);
    const outbox = new OutboxRepository(db);
    const { entry } = outbox.enqueueClaim(t.deviceId, { token: t.token, tags: [], imei: null });
    outbox.markSending([entry.id]);
    db.close();
    station.app.sync.startAuto(25);
    await waitFor(() => station.app.queue.list()[0]?.state === 'done', 'the half-sent claim to be settled');
    expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    expect(sim.effectCount('repeated-claim', t.deviceId)).toBe(0);
    expect(sim.requests.some((r) => r.method === 'GET' && r.path.endsWith(t.deviceId))).toBe(true);
  });
});
