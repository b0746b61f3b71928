import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { openDatabase } from '../../electron/adapters/db/database';
import { failureAdvice } from '../../electron/core/failure-kind';
import { ApiSimulator } from '../support/api-sim';
import { memorySecretBackend, openTestApp, connectedStation } from '../support/station';
import { makeToken, type MadeToken } from '../support/tokens';
import { queueClaims as queueTestClaims } from '../support/queue';

const KEY = 'test-key-0123456789abcdef';
let sim: ApiSimulator;
let station: ReturnType<typeof openTestApp>;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY, 'team-1', 'admin');
  station = connectedStation(sim, KEY);
});
afterEach(async () => {
  station.close();
  await sim.stop();
});

const queueClaims = (tokens: MadeToken[], tags: string[] = []) =>
  queueTestClaims(station.dataDir, tokens, { tags, imei: '351358815178345' });

describe('sync of single claims against the API simulator', () => {
  it('claims each pending device once, stores the returned devices, then pulls the list', async () => {
    const tokens = [makeToken(), makeToken(), makeToken()];
    queueClaims(tokens, ['site=oslo']);
    const progress: number[] = [];
    station.app.on('syncProgress', (p) => progress.push(p.sent));
    const summary = await station.app.sync.run();
    expect(summary).toEqual({ sent: 3, succeeded: 3, failed: 0, pending: 0, devices: 3, stopped: null });
    for (const t of tokens) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    expect(station.app.queue.list().map((e) => e.state)).toEqual(['done', 'done', 'done']);
    const devices = station.app.devices.list();
    expect(devices.map((d) => d.id).sort()).toEqual(tokens.map((t) => t.deviceId).sort());
    expect(devices[0]).toMatchObject({
      deviceType: 'nrf9151_LACA',
      // The service's answer has no IMEI: the one read from the board stays.
      imei: '351358815178345',
      tags: ['site=oslo'],
      status: 'READY',
      pending: [],
    });
    expect(progress.at(-1)).toBe(3);
    const claimRequest = sim.requests.find((r) => r.method === 'POST');
    expect(claimRequest).toMatchObject({ authorized: true, contentType: 'application/json' });
    expect(claimRequest?.userAgent).toMatch(/^Fieldclaim\//);
  });

  it("marks a rejected claim failed with the server's message and goes on with the rest", async () => {
    const good = makeToken();
    const bad = makeToken();
    queueClaims([bad]);
    queueClaims([good]);
    // A token the service cannot read: swap in a broken one for the first entry.
    const db = openDatabase(station.dataDir);
    db.prepare(
      `UPDATE outbox SET payload = json_set(payload, '$.token', 'garbage.token') WHERE device_id = ?`,
    ).run(bad.deviceId);
    db.close();
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ sent: 2, succeeded: 1, failed: 1, pending: 0, stopped: null });
    const failed = station.app.queue.list('failed');
    expect(failed).toEqual([
      expect.objectContaining({
        deviceId: bad.deviceId,
        lastError: 'Invalid attestation token',
        failure: 'invalid-token',
      }),
    ]);
    expect(sim.effectCount('claim', good.deviceId)).toBe(1);
  });

  it('fails a 422 (tag over 100 characters in the service) without retrying it', async () => {
    const t = makeToken();
    queueClaims([t], ['x'.repeat(101)]);
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ failed: 1, succeeded: 0 });
    expect(station.app.queue.list('failed')[0]).toMatchObject({
      lastError: expect.stringMatching(/100 characters/),
      failure: 'refused',
    });
    await station.app.sync.run();
    expect(sim.requests.filter((r) => r.method === 'POST' && r.path === '/v1/claimed-devices')).toHaveLength(
      1,
    );
  });

  it('stops on a refused key (401) and keeps everything queued', async () => {
    const s2 = connectedStation(sim, 'wrong-key');
    try {
      const db = openDatabase(s2.dataDir);
      const outbox = new OutboxRepository(db);
      for (const t of [makeToken(), makeToken()])
        outbox.enqueueClaim(t.deviceId, { token: t.token, tags: [], imei: null });
      db.close();
      const summary = await s2.app.sync.run();
      expect(summary.stopped).toMatchObject({
        reason: 'key-rejected',
        message: expect.stringContaining('401'),
      });
      expect(summary).toMatchObject({ sent: 0, pending: 2 });
      expect(s2.app.queue.list().map((e) => e.state)).toEqual(['pending', 'pending']);
      expect(
        sim.requests.filter((r) => r.method === 'POST' && r.path === '/v1/claimed-devices'),
      ).toHaveLength(1);
    } finally {
      s2.close();
    }
  });

  it("stops on 403 for a viewer key, saying the key's role cannot claim", async () => {
    sim.addKey('viewer-key', 'team-1', 'viewer');
    const s2 = connectedStation(sim, 'viewer-key');
    try {
      const db = openDatabase(s2.dataDir);
      const t = makeToken();
      new OutboxRepository(db).enqueueClaim(t.deviceId, { token: t.token, tags: [], imei: null });
      db.close();
      const summary = await s2.app.sync.run();
      expect(summary.stopped).toMatchObject({ reason: 'forbidden', message: expect.stringMatching(/role/) });
      expect(s2.app.queue.list('pending')).toHaveLength(1);
    } finally {
      s2.close();
    }
  });

  it('stays pending when the API cannot be reached, then claims once it can', async () => {
    const t = makeToken();
    queueClaims([t]);
    await sim.stop();
    const offline = await station.app.sync.run();
    expect(offline.stopped?.reason).toBe('offline');
    expect(station.app.queue.list()).toEqual([expect.objectContaining({ state: 'pending', attempts: 1 })]);
    expect(station.app.queue.list()[0]?.lastError).toMatch(/Could not reach/);
    await sim.start(); // the network is back
    const online = await station.app.sync.run();
    expect(online).toMatchObject({ succeeded: 1, pending: 0, stopped: null });
    expect(sim.effectCount('claim', t.deviceId)).toBe(1);
  });

  it('counts a 409 for a device the team can see as claimed, and one it cannot see as failed', async () => {
    const ours = makeToken();
    const theirs = makeToken();
    // Claimed earlier: ours by this team (say, from another laptop), theirs by another team.
    sim.preclaim(ours.token, 'team-1');
    sim.preclaim(theirs.token, 'team-2');
    queueClaims([ours, theirs]);
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ succeeded: 1, failed: 1, stopped: null });
    const byDevice = new Map(station.app.queue.list().map((e) => [e.deviceId, e]));
    expect(byDevice.get(ours.deviceId)?.state).toBe('done');
    expect(byDevice.get(theirs.deviceId)).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/another team/),
      failure: 'claimed-elsewhere',
    });
    expect(sim.effectCount('claim', ours.deviceId)).toBe(1);
    expect(station.app.devices.list().map((d) => d.id)).toEqual([ours.deviceId]);
  });

  it('fails a block of a device unclaimed elsewhere as not claimed, a kind Retry cannot help', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1');
    await station.app.sync.run();
    sim.devices.delete(t.deviceId); // unclaimed from another laptop since the last refresh
    station.app.changes.device('block', t.deviceId);
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ failed: 1, stopped: null });
    const [entry] = station.app.queue.list('failed');
    expect(entry).toMatchObject({ kind: 'block', failure: 'not-claimed' });
    expect(failureAdvice[entry!.failure!].retryable).toBe(false);
  });

  it('pulls every page of the device list on its first sync, pages as large as the service gives', async () => {
    for (let i = 0; i < 230; i++) sim.preclaim(makeToken().token, 'team-1');
    sim.maxPageLimit = 100;
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ devices: 230, stopped: null });
    expect(
      sim.requests
        .filter((r) => r.method === 'GET' && r.path.startsWith('/v1/claimed-devices?'))
        .map((r) => r.path),
    ).toEqual([
      '/v1/claimed-devices?pageLimit=1000',
      '/v1/claimed-devices?pageLimit=1000&pageNextToken=100',
      '/v1/claimed-devices?pageLimit=1000&pageNextToken=200',
    ]);
    expect(station.app.devices.list()).toHaveLength(230);
  });

  it('says no key is stored instead of calling the API', async () => {
    const s2 = openTestApp({ settingsOverrides: { apiUrl: sim.baseUrl } });
    try {
      const summary = await s2.app.sync.run();
      expect(summary.stopped?.reason).toBe('no-key');
      expect(sim.requests).toHaveLength(0);
    } finally {
      s2.close();
    }
  });

  it('refuses a non-loopback, non-nRF Cloud URL before any connection', async () => {
    // Not a setting at all: only a run's override points elsewhere, and only to loopback or nRF Cloud.
    expect(() => station.app.settings.update({ apiUrl: 'http://127.0.0.1:9/v1/' })).toThrow(/not a setting/);
    const s2 = openTestApp({
      secretBackend: memorySecretBackend(KEY),
      settingsOverrides: { apiUrl: 'https://evil.example/v1/' },
    });
    try {
      await expect(s2.app.sync.run()).rejects.toMatchObject({ code: 'url-refused' });
    } finally {
      s2.close();
    }
  });
});
