import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import type { Fieldclaim } from '../../electron/services/fieldclaim';
import { ApiSimulator, isBulkClaim, isChange, type RecordedRequest } from '../support/api-sim';
import { waitFor } from '../support/wait';
import { connectedStation, fastRetries, openTestApp } from '../support/station';
import { makeToken, type MadeToken } from '../support/tokens';
import { queueClaims as queueTestClaims } from '../support/queue';

const KEY = 'fault-key';
let sim: ApiSimulator;
let station: ReturnType<typeof openTestApp>;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  station = connectedStation(sim, KEY, { retryPolicy: fastRetries, syncMaxWaitMs: 500, bulkBatchSize: 40 });
});
afterEach(async () => {
  station.close();
  await sim.stop();
});

const queueClaims = (tokens: MadeToken[], tags: string[] = []) =>
  queueTestClaims(station.dataDir, tokens, { tags });

/** Syncs until the outbox has nothing left to send (each run may stop on an injected fault). */
async function syncUntilSettled(app: Fieldclaim, maxRuns = 300): Promise<number> {
  for (let run = 1; run <= maxRuns; run++) {
    const summary = await app.sync.run();
    const counts = app.queue.list().filter((e) => e.state === 'pending' || e.state === 'sending').length;
    if (counts === 0 && summary.stopped === null) return run;
  }
  throw new Error(
    `the outbox did not drain in ${maxRuns} runs: ${JSON.stringify((await app.status.current()).outbox)}`,
  );
}

describe('exactly once, under faults', () => {
  it('300 claims through 503, 429, resets and lost responses: every device claimed once, none failed', async () => {
    const tokens = Array.from({ length: 300 }, () => makeToken());
    queueClaims(tokens, ['batch=faults']);
    // Certain faults on bulk claims (a lost response, a reset, a 503), then random ones everywhere.
    sim.faults.push(
      { kind: 'apply-then-reset', when: isBulkClaim },
      { kind: 'status', status: 503, when: isBulkClaim },
      { kind: 'reset', when: isBulkClaim },
    );
    sim.faultRate = 0.3;
    const runs = await syncUntilSettled(station.app);
    sim.faultRate = 0;
    for (const t of tokens) {
      expect(sim.effectCount('claim', t.deviceId), t.deviceId).toBe(1);
      expect(sim.effectCount('repeated-claim', t.deviceId), t.deviceId).toBe(0);
    }
    expect(sim.effectCount('tag-create', 'batch=faults')).toBe(1);
    const states = station.app.queue.list().map((e) => e.state);
    expect(states.filter((s) => s === 'done')).toHaveLength(300);
    expect(states.filter((s) => s === 'failed')).toEqual([]);
    // The faults really happened: lost responses were settled by asking, not by resending.
    const bulkPosts = sim.requests.filter(
      (r) => r.method === 'POST' && r.contentType?.startsWith('text/csv'),
    ).length;
    expect(bulkPosts).toBeGreaterThan(300 / 40);
    expect(
      sim.requests.filter((r) => r.method === 'GET' && /claimed-devices\/[0-9a-f-]{36}$/.test(r.path)).length,
    ).toBeGreaterThan(0);
    expect(runs).toBeGreaterThan(1);
  });

  it('block, unblock, tags and tag changes apply once each, in order per device, under faults', async () => {
    const tokens = Array.from({ length: 30 }, () => makeToken());
    for (const t of tokens) sim.preclaim(t.token, 'team-1');
    const { app } = station;
    app.changes.createTag('zone=north', 'north side');
    for (const [i, t] of tokens.entries()) {
      app.changes.device('block', t.deviceId);
      if (i % 2 === 0) app.changes.device('unblock', t.deviceId);
      app.changes.setTags(t.deviceId, ['zone=north', `n=${i}`]);
    }
    app.changes.updateTag('zone=north', { to: 'zone=n', description: 'renamed' });
    app.changes.device('unclaim', tokens[0]!.deviceId);
    sim.faultRate = 0.3;
    await syncUntilSettled(app);
    sim.faultRate = 0;
    expect(app.queue.list().filter((e) => e.state !== 'done')).toEqual([]);
    for (const [i, t] of tokens.entries()) {
      expect(sim.effectCount('block', t.deviceId)).toBe(1);
      expect(sim.effectCount('unblock', t.deviceId)).toBe(i % 2 === 0 ? 1 : 0);
      expect(sim.effectCount('set-tags', t.deviceId)).toBe(1);
      if (i === 0) continue;
      const device = sim.devices.get(t.deviceId)!;
      expect(device.status).toBe(i % 2 === 0 ? 'READY' : 'BLOCKED');
      // The rename came after the tag sets, so every device carries the new name.
      expect(device.tags.sort()).toEqual([`n=${i}`, 'zone=n'].sort());
    }
    expect(sim.effectCount('unclaim', tokens[0]!.deviceId)).toBe(1);
    expect(sim.devices.has(tokens[0]!.deviceId)).toBe(false);
    expect(sim.effectCount('tag-create', 'zone=north')).toBe(1);
    expect(sim.effectCount('tag-update', 'zone=north')).toBe(1);
  });

  it('offline: nothing dropped; back online: everything done once', async () => {
    const tokens = Array.from({ length: 25 }, () => makeToken());
    queueClaims(tokens);
    station.app.changes.createTag('later');
    await sim.stop();
    const offline = await station.app.sync.run();
    expect(offline.stopped?.reason).toBe('offline');
    expect(station.app.queue.list().every((e) => e.state === 'pending')).toBe(true);
    expect(station.app.queue.list()).toHaveLength(26);
    await sim.start();
    await syncUntilSettled(station.app);
    for (const t of tokens) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    expect(sim.effectCount('tag-create', 'later')).toBe(1);
  });

  it('honours Retry-After by pausing the whole queue, and keeps the pause across restarts', async () => {
    queueClaims([makeToken(), makeToken()]);
    sim.faults.push({ kind: 'status', status: 429, retryAfter: '3600', when: isChange });
    const first = await station.app.sync.run();
    expect(first.stopped).toMatchObject({
      reason: 'rate-limited',
      message: expect.stringMatching(/Rate limited/),
    });
    const requestsSoFar = sim.requests.length;
    expect(station.app.sync.pausedUntil()).toBeGreaterThan(Date.now() + 3_500_000);
    // A new run (even a new process on the same data) does not call the service while paused.
    const again = await station.app.sync.run();
    expect(again.stopped?.reason).toBe('rate-limited');
    expect(sim.requests.length).toBe(requestsSoFar);
    expect(station.app.queue.list().map((e) => e.state)).toEqual(['pending', 'pending']);
  });

  it('backs off after a 5xx, storing the next attempt time in the database', async () => {
    const s2 = connectedStation(sim, KEY, {
      retryPolicy: { ...fastRetries, baseMs: 60_000, capMs: 60_000, defaultRateLimitMs: 1000 },
      syncMaxWaitMs: 0,
    });
    try {
      const t = makeToken();
      const db = openDatabase(s2.dataDir);
      new OutboxRepository(db).enqueueClaim(t.deviceId, { token: t.token, tags: [], imei: null });
      db.close();
      sim.faults.push({ kind: 'status', status: 503, when: isChange });
      await s2.app.sync.run();
      const check = openDatabase(s2.dataDir);
      const row = check.prepare('SELECT next_attempt_at, uncertain, state FROM outbox').get() as Record<
        string,
        number
      >;
      check.close();
      expect(row.state).toBe('pending');
      expect(row.uncertain).toBe(1);
      expect(row.next_attempt_at).toBeGreaterThan(Date.now() - 1000);
      expect(row.next_attempt_at).toBeLessThanOrEqual(Date.now() + 60_000);
      // Not due yet: a second run sends nothing.
      const before = sim.requests.length;
      await s2.app.sync.run();
      expect(sim.requests.filter((r, i) => i >= before && r.method === 'POST')).toEqual([]);
    } finally {
      s2.close();
    }
  });

  it('a row refused in a bulk answer is back in line, not left sending, when the run stops before it is re-sent alone', async () => {
    const s2 = connectedStation(sim, KEY, { retryPolicy: fastRetries, syncMaxWaitMs: 500, bulkBatchSize: 2 });
    try {
      const [bad, good, other, another] = [makeToken(), makeToken(), makeToken(), makeToken()];
      queueTestClaims(s2.dataDir, [bad, good, other, another]);
      const db = openDatabase(s2.dataDir);
      db.prepare(
        `UPDATE outbox SET payload = json_set(payload, '$.token', 'garbage.token') WHERE device_id = ?`,
      ).run(bad.deviceId);
      db.close();
      // The second batch's 401 stops the run; only then does the first batch answer, its bad row
      // refused: the run must not leave that row 'sending'.
      const stopped = waitFor(
        () => s2.app.queue.list().some((e) => e.lastError?.includes('key revoked')),
        'the 401 to be taken',
      );
      const nthBulk = (n: number) => (r: RecordedRequest) =>
        isBulkClaim(r) && sim.requests.filter(isBulkClaim).indexOf(r) === n;
      sim.faults.push(
        { kind: 'hold', until: stopped, when: nthBulk(0) },
        { kind: 'status', status: 401, message: 'key revoked', when: nthBulk(1) },
      );
      const summary = await s2.app.sync.run();
      expect(summary.stopped?.reason).toBe('key-rejected');
      const badEntry = s2.app.queue.list().find((e) => e.deviceId === bad.deviceId);
      expect(badEntry?.state).toBe('pending');
      expect(sim.effectCount('claim', good.deviceId)).toBe(1);
    } finally {
      s2.close();
    }
  });

  it('a whole bulk file refused with 400 falls back to single claims, so only the bad row fails', async () => {
    const good = [makeToken(), makeToken()];
    const bad = makeToken();
    queueClaims([...good, bad]);
    const db = openDatabase(station.dataDir);
    db.prepare(
      `UPDATE outbox SET payload = json_set(payload, '$.token', 'garbage.token') WHERE device_id = ?`,
    ).run(bad.deviceId);
    db.close();
    sim.faults.push({ kind: 'status', status: 400, message: 'Malformed CSV', when: isChange });
    const summary = await station.app.sync.run();
    expect(summary).toMatchObject({ succeeded: 2, failed: 1 });
    for (const t of good) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
  });

  it.each(['claimedDevices', 'claimedIds', 'legacy-202'] as const)(
    'accepts the %s bulk response shape',
    async (shape) => {
      sim.bulkShape = shape;
      const tokens = Array.from({ length: 5 }, () => makeToken());
      queueClaims(tokens);
      const summary = await station.app.sync.run();
      expect(summary).toMatchObject({ succeeded: 5, failed: 0, pending: 0 });
      for (const t of tokens) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    },
  );
});
