import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { ApiSimulator } from '../support/api-sim';
import { runCli } from '../support/cli';
import { connectedStation, fastRetries, openTestApp } from '../support/station';
import { makeToken } from '../support/tokens';

let sim: ApiSimulator;
const apps: Array<ReturnType<typeof openTestApp>> = [];
beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey('admin-key', 'team-1', 'admin');
  sim.addKey('editor-key', 'team-1', 'editor');
  sim.addKey('viewer-key', 'team-1', 'viewer');
});
afterEach(async () => {
  apps.splice(0).forEach((a) => a.close());
  await sim.stop();
});
const station = (key: string) => {
  const s = connectedStation(sim, key);
  apps.push(s);
  return s;
};

describe('the local copy of claimed devices', () => {
  it('an editor pulls only what it can see (devices claimed by admins are not visible to it)', async () => {
    const byAdmin = makeToken();
    const byEditor = makeToken();
    sim.preclaim(byAdmin.token, 'team-1', 'admin');
    sim.preclaim(byEditor.token, 'team-1', 'editor');
    const editor = station('editor-key');
    await editor.app.sync.run();
    expect(editor.app.devices.list().map((d) => d.id)).toEqual([byEditor.deviceId]);
    const admin = station('admin-key');
    await admin.app.sync.run();
    expect(
      admin.app.devices
        .list()
        .map((d) => d.id)
        .sort(),
    ).toEqual([byAdmin.deviceId, byEditor.deviceId].sort());
  });

  it('shows a queued block on top of the pulled state until the service confirms it', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1');
    const s = station('admin-key');
    await s.app.sync.run();
    s.app.changes.device('block', t.deviceId);
    s.app.changes.setTags(t.deviceId, ['shelf-3']);
    expect(s.app.devices.list()[0]).toMatchObject({
      status: 'READY',
      pending: ['block', 'set-tags'],
      pendingTags: ['shelf-3'],
    });
    const detail = s.app.devices.detail(t.deviceId);
    expect(detail.device).toMatchObject({
      id: t.deviceId,
      pending: ['block', 'set-tags'],
      pendingTags: ['shelf-3'],
    });
    expect(detail.changes.map((c) => c.kind)).toEqual(['block', 'set-tags']);
    expect(JSON.stringify(detail.changes)).not.toContain(t.token);
    expect(detail.raw).toMatchObject({ id: t.deviceId, ownershipStatus: 'IDENTIFIED' });
    await s.app.sync.run();
    expect(s.app.devices.list()[0]).toMatchObject({
      status: 'BLOCKED',
      tags: ['shelf-3'],
      pending: [],
      pendingTags: null,
    });
  });

  it('when a pull disagrees with a queued change, the change stays on top, is sent, and the next pull settles it', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1');
    const s = connectedStation(sim, 'admin-key', {
      // An hour's backoff: the first sync ends with the block still queued.
      retryPolicy: { ...fastRetries, baseMs: 3_600_000, capMs: 3_600_000, defaultRateLimitMs: 1 },
    });
    apps.push(s);
    s.app.changes.device('block', t.deviceId);
    // The block does not get through this time (503); the pull that follows says READY.
    sim.faults.push({ kind: 'status', status: 503, when: (r) => r.path.endsWith('/block') });
    await s.app.sync.run();
    expect(s.app.devices.list()).toEqual([
      expect.objectContaining({ id: t.deviceId, status: 'READY', pending: ['block'] }),
    ]);
    // The backoff is over (the test moves the clock instead of waiting an hour).
    const db = openDatabase(s.dataDir);
    db.prepare('UPDATE outbox SET next_attempt_at = 0').run();
    db.close();
    await s.app.sync.run(); // settles with a GET (not blocked), sends the block, pulls again
    expect(sim.devices.get(t.deviceId)!.status).toBe('BLOCKED');
    expect(sim.effectCount('block', t.deviceId)).toBe(1);
    expect(s.app.devices.list()[0]).toMatchObject({ status: 'BLOCKED', pending: [] });
  });
});

describe('tags', () => {
  it('a rename or delete applies to every local device at once, then in the service', async () => {
    const [a, b] = [makeToken(), makeToken()];
    const s = station('admin-key');
    s.app.changes.createTag('zone=north', 'the north side');
    for (const t of [a, b]) sim.preclaim(t.token, 'team-1');
    await s.app.sync.run();
    s.app.changes.setTagsBatch([a.deviceId, b.deviceId], ['zone=north', 'x']);
    await s.app.sync.run();
    expect(s.app.devices.tags()).toEqual(
      expect.arrayContaining([{ tag: 'zone=north', description: 'the north side', devices: 2 }]),
    );

    s.app.changes.updateTag('zone=north', { to: 'zone=n' });
    expect(s.app.devices.list().map((d) => d.tags.sort())).toEqual([
      ['x', 'zone=n'],
      ['x', 'zone=n'],
    ]);
    expect(s.app.devices.tags().map((t) => t.tag)).toContain('zone=n');
    s.app.changes.deleteTag('x');
    expect(s.app.devices.list().map((d) => d.tags)).toEqual([['zone=n'], ['zone=n']]);
    await s.app.sync.run();
    for (const t of [a, b]) expect(sim.devices.get(t.deviceId)!.tags).toEqual(['zone=n']);
    expect(s.app.devices.tags()).toEqual(
      expect.arrayContaining([{ tag: 'zone=n', description: 'the north side', devices: 2 }]),
    );
    expect(s.app.devices.tags().map((t) => t.tag)).not.toContain('x');
  });

  it("adds or removes one tag on a selection, keeping each device's other tags, queued ones included", async () => {
    const [a, b] = [makeToken(), makeToken()];
    const s = station('admin-key');
    for (const t of [a, b]) sim.preclaim(t.token, 'team-1');
    s.app.changes.setTagsBatch([a.deviceId, b.deviceId], ['location', 'customer']);
    await s.app.sync.run();
    s.app.changes.setTags(a.deviceId, ['location', 'customer', 'rack=9']); // queued, not sent yet
    expect(s.app.changes.changeTag('add', [a.deviceId, b.deviceId], 'zone=n')).toEqual({
      queued: 2,
      unchanged: 0,
      skipped: 0,
    });
    expect(s.app.changes.changeTag('add', [a.deviceId], 'zone=n')).toEqual({
      queued: 0,
      unchanged: 1,
      skipped: 0,
    });
    s.app.changes.changeTag('remove', [a.deviceId, b.deviceId], 'customer');
    expect(() => s.app.changes.changeTag('add', [a.deviceId], 'a,b')).toThrow(/comma/);
    await s.app.sync.run();
    expect(sim.devices.get(a.deviceId)!.tags).toEqual(['location', 'rack=9', 'zone=n']);
    expect(sim.devices.get(b.deviceId)!.tags).toEqual(['location', 'zone=n']);
  });

  it("builds a tag change on the device's queued tags as queued renames and deletes will leave them", async () => {
    const t = makeToken();
    const s = station('admin-key');
    sim.preclaim(t.token, 'team-1');
    s.app.changes.createTag('old');
    s.app.changes.createTag('gone');
    await s.app.sync.run();
    s.app.changes.setTags(t.deviceId, ['old', 'gone']); // queued, then the tags change under it
    s.app.changes.updateTag('old', { to: 'new' });
    s.app.changes.deleteTag('gone');
    // The same device twice in one call: one change.
    expect(s.app.changes.changeTag('add', [t.deviceId, t.deviceId], 'rack=9')).toEqual({
      queued: 1,
      unchanged: 0,
      skipped: 0,
    });
    expect(s.app.changes.changeTag('add', ['4b8e3b4e-59c4-4f3e-9a9e-8e0c6f1d2a3b'], 'x')).toMatchObject({
      queued: 0,
      skipped: 1,
    });
    const summary = await s.app.sync.run();
    expect(summary).toMatchObject({ failed: 0, pending: 0 });
    expect(sim.devices.get(t.deviceId)!.tags).toEqual(['new', 'rack=9']);
  });

  it('refuses duplicate and invalid tag names in one place, for the UI and the CLI alike', () => {
    const s = station('admin-key');
    s.app.changes.createTag('  site=A  ');
    expect(() => s.app.changes.createTag('site=A')).toThrow(/exists already/);
    expect(() => s.app.changes.createTag('x'.repeat(101))).toThrow(/101 characters/);
    expect(() => s.app.changes.createTag('   ')).toThrow(/1 to 100 characters/);
    expect(s.app.devices.tags().map((t) => t.tag)).toEqual(['site=A']);
  });
});

describe('viewer keys', () => {
  it('still list devices and tags, and once a change is refused, changes are disabled with the reason', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1', 'editor');
    const s = station('viewer-key');
    s.app.changes.device('block', t.deviceId);
    const summary = await s.app.sync.run();
    expect(summary.stopped?.reason).toBe('forbidden');
    expect(s.app.devices.list().map((d) => d.id)).toEqual([t.deviceId]);
    expect((await s.app.status.current()).keyReadOnly).toBe(true);
    // Known before any change was tried: a dry run told, and no block was sent.
    expect(sim.requests.filter((r) => r.path.endsWith('/block'))).toEqual([]);
    expect(sim.requests.some((r) => r.path.includes('dryrun=true'))).toBe(true);
    expect(s.app.queue.list()).toEqual([expect.objectContaining({ kind: 'block', state: 'pending' })]);
    expect(() => s.app.changes.device('unblock', t.deviceId)).toThrow(/can only read/);
    const cli = await runCli(['--data-dir', s.dataDir, 'unclaim', t.deviceId, '--json']);
    expect(cli.code).toBe(3);
    expect(cli.json).toMatchObject({
      error: { code: 'forbidden', message: expect.stringMatching(/viewer/) },
    });
    await s.app.keys.set('admin-key');
    expect((await s.app.status.current()).keyReadOnly).toBe(false);
    await s.app.sync.run();
    expect(sim.effectCount('block', t.deviceId)).toBe(1);
  });
});
