import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { ApiSimulator } from '../support/api-sim';
import { connectedStation, openTestApp } from '../support/station';
import { makeToken } from '../support/tokens';
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
