import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { ApiSimulator, type RecordedRequest } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { connectedStation, fastRetries } from '../support/station';
import { makeToken } from '../support/tokens';

const KEY = 'cost-key';
let sim: ApiSimulator;
let station: ReturnType<typeof connectedStation>;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  station = connectedStation(sim, KEY, { retryPolicy: fastRetries });
});
afterEach(async () => {
  station.close();
  await sim.stop();
});

const listRequests = (from = 0) =>
  sim.requests
    .slice(from)
    .filter((r: RecordedRequest) => r.method === 'GET' && r.path.startsWith('/v1/claimed-devices?'));

describe('a sync costs what is queued, not the size of the fleet', () => {
  it('sends 20 claims to a team of 5,000 without pulling the list when the copy is fresh', async () => {
    for (let i = 0; i < 5_000; i++) sim.preclaim(makeToken().token, 'team-1');
    // The first sync brings the copy up to date (it was never refreshed).
    await station.app.sync.run();
    expect(station.app.devices.list()).toHaveLength(5_000);
    const before = sim.requests.length;
    const tokens = Array.from({ length: 20 }, () => makeToken());
    queueClaims(station.dataDir, tokens);
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ succeeded: 20, stopped: null, devices: 5_020 });
    expect(listRequests(before)).toEqual([]);
    // One bulk claim; nothing else was needed (no tags).
    expect(sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/claimed-devices',
    ]);
    // A sync with nothing queued and a fresh copy asks nothing at all.
    const idle = sim.requests.length;
    await station.app.sync.run();
    expect(sim.requests.length).toBe(idle);
  });

  it("keeps the local copy current from the service's own answers: claims, blocks, tags, unclaims", async () => {
    const [a, b] = [makeToken(), makeToken()];
    sim.preclaim(a.token, 'team-1');
    await station.app.sync.run();
    const before = sim.requests.length;
    queueClaims(station.dataDir, [b], { tags: ['rack-2'] });
    station.app.changes.device('block', a.deviceId);
    station.app.changes.setTags(a.deviceId, ['rack-1']);
    await station.app.sync.run();
    expect(listRequests(before)).toEqual([]);
    const local = new Map(station.app.devices.list().map((d) => [d.id, d]));
    expect(local.get(a.deviceId)).toMatchObject({ status: 'BLOCKED', tags: ['rack-1'], pending: [] });
    expect(local.get(b.deviceId)).toMatchObject({ tags: ['rack-2'], deviceType: 'nrf9151_LACA' });
    station.app.changes.device('unclaim', b.deviceId);
    await station.app.sync.run();
    expect(station.app.devices.list().map((d) => d.id)).toEqual([a.deviceId]);
  });

  it('refreshes the list when it is older than the refresh setting, and when asked', async () => {
    sim.preclaim(makeToken().token, 'team-1');
    await station.app.sync.run();
    const before = sim.requests.length;
    await station.app.sync.run({ refresh: true });
    expect(listRequests(before)).toHaveLength(1);
    // Older than the setting: make the copy 5 hours old against the default 4.
    const db = openDatabase(station.dataDir);
    db.prepare(`UPDATE settings SET value = ? WHERE name = 'devicesRefreshedAt'`).run(
      JSON.stringify(new Date(Date.now() - 5 * 3600_000).toISOString()),
    );
    db.close();
    const stale = sim.requests.length;
    queueClaims(station.dataDir, [makeToken()]);
    await station.app.sync.run();
    expect(listRequests(stale)).toHaveLength(1);
  });

  it('sends a queued tag creation, with its description, before the changes that use the tag', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1');
    await station.app.sync.run();
    station.app.changes.createTag('rack-7', 'Rack seven');
    station.app.changes.setTags(t.deviceId, ['rack-7', 'site-a']);
    queueClaims(station.dataDir, [makeToken()], { tags: ['rack-7'] });
    // The creation meets a passing failure first: what uses the tag must wait for it, not make it bare.
    sim.faults.push({
      kind: 'status',
      status: 503,
      when: (r) => r.method === 'POST' && r.path === '/v1/claimed-devices/tags',
    });
    await station.app.sync.run();
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ failed: 0, stopped: null });
    const tags = [...sim.tags.values()].map((tag) => [tag.tag, tag.description]);
    expect(tags).toEqual(
      expect.arrayContaining([
        ['rack-7', 'Rack seven'],
        ['site-a', ''],
      ]),
    );
    expect(sim.effectCount('tag-create', 'rack-7')).toBe(1);
    expect(sim.devices.get(t.deviceId)?.tags).toEqual(['rack-7', 'site-a']);
    expect(station.app.devices.tags()).toEqual(
      expect.arrayContaining([{ tag: 'rack-7', description: 'Rack seven', devices: 2 }]),
    );
  });
});

describe('refreshing the local copy', () => {
  it('an interrupted refresh resumes from its cursor instead of page one', async () => {
    for (let i = 0; i < 450; i++) sim.preclaim(makeToken().token, 'team-1');
    sim.maxPageLimit = 100;
    // The fourth page never comes: the pass stops after three.
    let pages = 0;
    sim.faults.push({
      kind: 'status',
      status: 503,
      when: (r) => r.path.startsWith('/v1/claimed-devices?') && ++pages === 4,
    });
    const first = await station.app.sync.refreshNow();
    expect(first.stopped?.reason).toBe('server-error');
    expect((await station.app.status.current()).refresh).toMatchObject({
      pages: 3,
      devices: 300,
      running: false,
    });
    const before = sim.requests.length;
    expect((await station.app.sync.refreshNow()).stopped).toBeNull();
    expect(listRequests(before).map((r) => r.path)).toEqual([
      '/v1/claimed-devices?pageLimit=1000&pageNextToken=300',
      '/v1/claimed-devices?pageLimit=1000&pageNextToken=400',
    ]);
    expect(station.app.devices.list()).toHaveLength(450);
    expect((await station.app.status.current()).refresh).toBeNull();
  });

  it('a complete pass removes the devices unclaimed elsewhere, keeps the ones claimed meanwhile', async () => {
    const [kept, gone] = [makeToken(), makeToken()];
    sim.preclaim(kept.token, 'team-1');
    sim.preclaim(gone.token, 'team-1');
    await station.app.sync.run();
    expect(station.app.devices.list()).toHaveLength(2);
    sim.devices.delete(gone.deviceId); // unclaimed in the portal
    await station.app.sync.refreshNow();
    expect(station.app.devices.list().map((d) => d.id)).toEqual([kept.deviceId]);
  });

  it('asks for the largest page the service gives, and remembers a smaller one it insists on', async () => {
    for (let i = 0; i < 300; i++) sim.preclaim(makeToken().token, 'team-1');
    sim.maxPageLimit = 250;
    sim.refuseLargePages = true;
    await station.app.sync.refreshNow();
    expect(listRequests().map((r) => new URL(r.path, 'http://x').searchParams.get('pageLimit'))).toEqual([
      '1000',
      '500',
      '250',
      '250',
    ]);
    const before = sim.requests.length;
    await station.app.sync.refreshNow();
    expect(
      listRequests(before).map((r) => new URL(r.path, 'http://x').searchParams.get('pageLimit')),
    ).toEqual(['250', '250']);
  });
});
