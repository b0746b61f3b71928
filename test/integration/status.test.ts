import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppStatus } from '../../electron/shared/types';
import { ApiSimulator } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { connectedStation } from '../support/station';
import { makeToken } from '../support/tokens';
import { waitFor } from '../support/wait';

const KEY = 'status-key';
let sim: ApiSimulator;
let station: ReturnType<typeof connectedStation>;
let pushed: AppStatus[];

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  station = connectedStation(sim, KEY);
  pushed = [];
  station.app.on('statusChanged', (status) => pushed.push(status));
});
afterEach(async () => {
  station.close();
  await sim.stop();
});

const latest = () => pushed.at(-1);

describe('the status the window is pushed', () => {
  it('counts what was sent today, and names the site and session tags', async () => {
    queueClaims(station.dataDir, [makeToken(), makeToken()]);
    station.app.settings.update({ siteTags: ['location=Oslo'], sessionTags: ['batch-2'] });
    await station.app.sync.run();
    const status = await station.app.status.current();
    expect(status).toMatchObject({ sentToday: 2, siteTags: ['location=Oslo'], sessionTags: ['batch-2'] });
    expect(status.lastSyncAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('says online, with the counts going down, while a sync is still running', async () => {
    queueClaims(
      station.dataDir,
      Array.from({ length: 80 }, () => makeToken()),
    );
    sim.latencyMs = 60;
    await station.app.sync.run({ batchSize: 5 });
    const during = pushed.filter((s) => s.syncing);
    const waiting = (s: AppStatus) => s.outbox.pending + s.outbox.sending;
    const midway = during.find((s) => waiting(s) > 0 && waiting(s) < 80);
    expect(midway, 'a push while the sync was half way').toBeDefined();
    expect(midway?.online).toBe(true);
  });

  it('shows a key refused by auto sync without anyone pressing Sync, until a new key is stored', async () => {
    await station.app.keys.set('expired-key');
    queueClaims(station.dataDir, [makeToken()]);
    station.app.sync.startAuto(50);
    await waitFor(() => latest()?.lastSync?.stopped?.reason === 'key-rejected', 'the refusal to be pushed');
    sim.addKey('fresh-key');
    await station.app.keys.set('fresh-key');
    await waitFor(() => latest()?.lastSync?.stopped?.reason !== 'key-rejected', 'the refusal to be lifted');
    await waitFor(() => (latest()?.sentToday ?? 0) === 1, 'the claim to go out with the new key');
  });

  it('tells a captive portal from being offline', async () => {
    queueClaims(station.dataDir, [makeToken()]);
    sim.standing = { kind: 'web-page', status: 200 };
    station.app.sync.startAuto(50);
    await waitFor(() => latest()?.reachability === 'intercepted', 'the portal to be noticed');
    expect(latest()?.online).toBe(false);
    sim.standing = null;
    await waitFor(() => latest()?.reachability === 'reachable', 'the API to be reached again');
  });
});
