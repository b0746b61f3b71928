import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { DevicesRepository } from '../../electron/adapters/db/devices-repo';
import type { RecordedRequest } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { useConnectedStation } from '../support/connected-station';
import { fastRetries } from '../support/station';
import { makeToken } from '../support/tokens';
import { waitFor } from '../support/wait';

const KEY = 'cost-key';
const env = useConnectedStation(KEY, { retryPolicy: fastRetries });

const listRequests = (from = 0) =>
  env.sim.requests
    .slice(from)
    .filter((r: RecordedRequest) => r.method === 'GET' && r.path.startsWith('/v1/claimed-devices?'));

describe('a sync costs what is queued, not the size of the fleet', () => {
  it('sends 20 claims to a team of 5,000 without pulling the list when the copy is fresh', async () => {
    for (let i = 0; i < 5_000; i++) env.sim.preclaim(makeToken().token, 'team-1');
    // The first sync brings the copy up to date (it was never refreshed).
    await env.station.app.sync.run();
    expect(env.station.app.devices.list()).toHaveLength(5_000);
    const before = env.sim.requests.length;
    const tokens = Array.from({ length: 20 }, () => makeToken());
    queueClaims(env.station.dataDir, tokens);
    const summary = await env.station.app.sync.run();
    expect(summary).toMatchObject({ succeeded: 20, stopped: null, devices: 5_020 });
    expect(listRequests(before)).toEqual([]);
    // One bulk claim; nothing else was needed (no tags).
    expect(env.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/claimed-devices',
    ]);
    // A sync with nothing queued and a fresh copy asks nothing at all.
    const idle = env.sim.requests.length;
    await env.station.app.sync.run();
    expect(env.sim.requests.length).toBe(idle);
  });

  it("keeps the local copy current from the service's own answers: claims, blocks, tags, unclaims", async () => {
    const [a, b] = [makeToken(), makeToken()];
    env.sim.preclaim(a.token, 'team-1');
    await env.station.app.sync.run();
    const before = env.sim.requests.length;
    queueClaims(env.station.dataDir, [b], { tags: ['rack-2'] });
    env.station.app.changes.device('block', a.deviceId);
    env.station.app.changes.setTags(a.deviceId, ['rack-1']);
    await env.station.app.sync.run();
    expect(listRequests(before)).toEqual([]);
    const local = new Map(env.station.app.devices.list().map((d) => [d.id, d]));
    expect(local.get(a.deviceId)).toMatchObject({ status: 'BLOCKED', tags: ['rack-1'], pending: [] });
    expect(local.get(b.deviceId)).toMatchObject({ tags: ['rack-2'], deviceType: 'nrf9151_LACA' });
    env.station.app.changes.device('unclaim', b.deviceId);
    await env.station.app.sync.run();
    expect(env.station.app.devices.list().map((d) => d.id)).toEqual([a.deviceId]);
  });

  it('refreshes the list when it is older than the refresh setting, and when asked', async () => {
    env.sim.preclaim(makeToken().token, 'team-1');
    await env.station.app.sync.run();
    const before = env.sim.requests.length;
    await env.station.app.sync.run({ refresh: true });
    expect(listRequests(before)).toHaveLength(1);
    // Older than the setting: make the copy 5 hours old against the default 4.
    const db = openDatabase(env.station.dataDir);
    db.prepare(`UPDATE settings SET value = ? WHERE name = 'devicesRefreshedAt'`).run(
      JSON.stringify(new Date(Date.now() - 5 * 3600_000).toISOString()),
    );
    db.close();
    const stale = env.sim.requests.length;
    queueClaims(env.station.dataDir, [makeToken()]);
    await env.station.app.sync.run();
    expect(listRequests(stale)).toHaveLength(1);
  });

  it('sends a queued tag creation, with its description, before the changes that use the tag', async () => {
    const t = makeToken();
    env.sim.preclaim(t.token, 'team-1');
    await env.station.app.sync.run();
    env.station.app.changes.createTag('rack-7', 'Rack seven');
    env.station.app.changes.setTags(t.deviceId, ['rack-7', 'site-a']);
    queueClaims(env.station.dataDir, [makeToken()], { tags: ['rack-7'] });
    // The creation meets a passing failure first: what uses the tag must wait for it, not make it bare.
    env.sim.faults.push({
      kind: 'status',
      status: 503,
      when: (r) => r.method === 'POST' && r.path === '/v1/claimed-devices/tags',
    });
    await env.station.app.sync.run();
    const summary = await env.station.app.sync.run();
    expect(summary).toMatchObject({ failed: 0, stopped: null });
    const tags = [...env.sim.tags.values()].map((tag) => [tag.tag, tag.description]);
    expect(tags).toEqual(
      expect.arrayContaining([
        ['rack-7', 'Rack seven'],
        ['site-a', ''],
      ]),
    );
    expect(env.sim.effectCount('tag-create', 'rack-7')).toBe(1);
    expect(env.sim.devices.get(t.deviceId)?.tags).toEqual(['rack-7', 'site-a']);
    expect(env.station.app.devices.tags()).toEqual(
      expect.arrayContaining([{ tag: 'rack-7', description: 'Rack seven', devices: 2 }]),
    );
  });
});

describe('the outbox kept small', () => {
  it('a sync archives what was done before the retention period; a board read again later is settled, not claimed twice', async () => {
    const [old, recent] = [makeToken(), makeToken()];
    queueClaims(env.station.dataDir, [old, recent]);
    expect((await env.station.app.sync.run()).succeeded).toBe(2);
    const db = openDatabase(env.station.dataDir);
    db.prepare('UPDATE outbox SET updated_at = ? WHERE device_id = ?').run(
      new Date(Date.now() - 2 * 86_400_000).toISOString(),
      old.deviceId,
    );
    db.close();
    env.station.app.settings.update({ retentionDays: 1 });
    await env.station.app.sync.run();
    expect(env.station.app.queue.list().map((e) => e.deviceId)).toEqual([recent.deviceId]);
    expect(env.station.app.status.siteReport().csv).toContain(old.deviceId);
    // Its history gone from the outbox, the board read again is queued; the service says it is ours.
    queueClaims(env.station.dataDir, [old]);
    expect(env.station.app.queue.list('pending').map((e) => e.deviceId)).toEqual([old.deviceId]);
    expect((await env.station.app.sync.run()).failed).toBe(0);
    expect(env.station.app.queue.list('pending')).toEqual([]);
    expect(env.sim.effectCount('claim', old.deviceId)).toBe(1);
  });
});

describe('refreshing the local copy', () => {
  it('an interrupted refresh resumes from its cursor instead of page one', async () => {
    for (let i = 0; i < 450; i++) env.sim.preclaim(makeToken().token, 'team-1');
    env.sim.maxPageLimit = 100;
    // The fourth page never comes: the pass stops after three.
    let pages = 0;
    env.sim.faults.push({
      kind: 'status',
      status: 503,
      when: (r) => r.path.startsWith('/v1/claimed-devices?') && ++pages === 4,
    });
    const first = await env.station.app.sync.refreshNow();
    expect(first.stopped?.reason).toBe('server-error');
    expect((await env.station.app.status.current()).refresh).toMatchObject({
      pages: 3,
      devices: 300,
      running: false,
    });
    const before = env.sim.requests.length;
    expect((await env.station.app.sync.refreshNow()).stopped).toBeNull();
    expect(listRequests(before).map((r) => r.path)).toEqual([
      '/v1/claimed-devices?pageLimit=1000&pageNextToken=300',
      '/v1/claimed-devices?pageLimit=1000&pageNextToken=400',
    ]);
    expect(env.station.app.devices.list()).toHaveLength(450);
    expect((await env.station.app.status.current()).refresh).toBeNull();
  });

  it('a complete pass removes the devices unclaimed elsewhere, keeps the ones claimed meanwhile', async () => {
    const [kept, gone] = [makeToken(), makeToken()];
    env.sim.preclaim(kept.token, 'team-1');
    env.sim.preclaim(gone.token, 'team-1');
    await env.station.app.sync.run();
    expect(env.station.app.devices.list()).toHaveLength(2);
    env.sim.devices.delete(gone.deviceId); // unclaimed in the portal
    // The pass's first page waits while a claim answered meanwhile lands in the local copy.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    env.sim.faults.push({
      kind: 'hold',
      until: held,
      when: (r) => r.path.startsWith('/v1/claimed-devices?'),
    });
    const before = env.sim.requests.length;
    const refreshing = env.station.app.sync.refreshNow();
    await waitFor(
      () => env.sim.requests.slice(before).some((r) => r.path.startsWith('/v1/claimed-devices?')),
      'the pass to ask for its first page',
    );
    const meanwhile = makeToken();
    const db = openDatabase(env.station.dataDir);
    new DevicesRepository(db).upsert({
      id: meanwhile.deviceId,
      deviceType: null,
      imei: null,
      tags: [],
      status: null,
      claimedAt: null,
      raw: { id: meanwhile.deviceId },
    });
    db.close();
    release();
    expect((await refreshing).stopped).toBeNull();
    expect(
      env.station.app.devices
        .list()
        .map((d) => d.id)
        .sort(),
    ).toEqual([kept.deviceId, meanwhile.deviceId].sort());
  });

  it('a refresh keeps the tag renames and deletes still queued here, on the tag list and on the devices', async () => {
    const [a, b] = [makeToken(), makeToken()];
    env.station.app.changes.createTag('rack-1');
    env.station.app.changes.createTag('spare');
    queueClaims(env.station.dataDir, [a], { tags: ['rack-1'] });
    queueClaims(env.station.dataDir, [b], { tags: ['spare'] });
    await env.station.app.sync.run();
    env.station.app.changes.updateTag('rack-1', { to: 'rack-2' });
    env.station.app.changes.deleteTag('spare');
    // The service still has the old names: the pass brings them back, the queued changes win.
    expect((await env.station.app.sync.refreshNow()).stopped).toBeNull();
    const tagsOf = Object.fromEntries(env.station.app.devices.list().map((d) => [d.id, d.tags]));
    expect(tagsOf).toEqual({ [a.deviceId]: ['rack-2'], [b.deviceId]: [] });
    expect(env.station.app.devices.tags().map((t) => t.tag)).toEqual(['rack-2']);
  });

  it('asks for the largest page the service gives, and remembers a smaller one it insists on', async () => {
    for (let i = 0; i < 300; i++) env.sim.preclaim(makeToken().token, 'team-1');
    env.sim.maxPageLimit = 250;
    env.sim.refuseLargePages = true;
    await env.station.app.sync.refreshNow();
    expect(listRequests().map((r) => new URL(r.path, 'http://x').searchParams.get('pageLimit'))).toEqual([
      '1000',
      '500',
      '250',
      '250',
    ]);
    const before = env.sim.requests.length;
    await env.station.app.sync.refreshNow();
    expect(
      listRequests(before).map((r) => new URL(r.path, 'http://x').searchParams.get('pageLimit')),
    ).toEqual(['250', '250']);
  });
});
