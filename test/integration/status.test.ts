import { beforeEach, describe, expect, it } from 'vitest';
import type { AppStatus } from '../../electron/shared/types';
import { queueClaims } from '../support/queue';
import { useConnectedStation } from '../support/connected-station';
import { makeToken } from '../support/tokens';
import { waitFor } from '../support/wait';

const KEY = 'status-key';
const env = useConnectedStation(KEY);
let pushed: AppStatus[];

beforeEach(() => {
  pushed = [];
  env.station.app.on('statusChanged', (status) => pushed.push(status));
});

const latest = () => pushed.at(-1);

describe('the status the window is pushed', () => {
  it('counts what was sent today, and names the site and session tags', async () => {
    queueClaims(env.station.dataDir, [makeToken(), makeToken()]);
    env.station.app.settings.update({ siteTags: ['location=Oslo'], sessionTags: ['batch-2'] });
    await env.station.app.sync.run();
    const status = await env.station.app.status.current();
    expect(status).toMatchObject({ sentToday: 2, siteTags: ['location=Oslo'], sessionTags: ['batch-2'] });
    expect(status.lastSyncAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('says online, with the counts going down, while a sync is still running', async () => {
    queueClaims(
      env.station.dataDir,
      Array.from({ length: 80 }, () => makeToken()),
    );
    env.sim.latencyMs = 60;
    await env.station.app.sync.run({ batchSize: 5 });
    const during = pushed.filter((s) => s.syncing);
    const waiting = (s: AppStatus) => s.outbox.pending + s.outbox.sending;
    const midway = during.find((s) => waiting(s) > 0 && waiting(s) < 80);
    expect(midway, 'a push while the sync was half way').toBeDefined();
    expect(midway?.online).toBe(true);
  });

  it('shows a key refused by auto sync without anyone pressing Sync, until a new key is stored', async () => {
    await env.station.app.keys.set('expired-key');
    queueClaims(env.station.dataDir, [makeToken()]);
    env.station.app.sync.startAuto(50);
    await waitFor(() => latest()?.lastSync?.stopped?.reason === 'key-rejected', 'the refusal to be pushed');
    env.sim.addKey('fresh-key');
    await env.station.app.keys.set('fresh-key');
    await waitFor(() => latest()?.lastSync?.stopped?.reason !== 'key-rejected', 'the refusal to be lifted');
    await waitFor(() => (latest()?.sentToday ?? 0) === 1, 'the claim to go out with the new key');
  });

  it('tells a captive portal from being offline', async () => {
    queueClaims(env.station.dataDir, [makeToken()]);
    env.sim.standing = { kind: 'web-page', status: 200 };
    env.station.app.sync.startAuto(50);
    await waitFor(() => latest()?.reachability === 'intercepted', 'the portal to be noticed');
    expect(latest()?.online).toBe(false);
    env.sim.standing = null;
    await waitFor(() => latest()?.reachability === 'reachable', 'the API to be reached again');
  });
});
