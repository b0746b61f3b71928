import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { ApiSimulator } from '../support/api-sim';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

const KEY = 'changes-key';
let sim: ApiSimulator;
let dir: ReturnType<typeof tempDir>;
const cli = (...args: string[]) =>
  runCli(['--data-dir', dir.path, ...args, '--json'], { env: { FIELDCLAIM_API_KEY: KEY } });

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  dir = tempDir();
});
afterEach(async () => {
  await sim.stop();
  dir.remove();
});

describe('CLI change commands', () => {
  it('queues block, set-tags, unblock, unclaim and tag changes, and sync applies them in order', async () => {
    const t = makeToken();
    const gone = makeToken();
    sim.preclaim(t.token, 'team-1');
    sim.preclaim(gone.token, 'team-1');
    expect((await cli('block', t.deviceId)).json).toEqual({ queued: true, kind: 'block' });
    expect((await cli('tags', 'create', 'zone=a', '--description', 'first zone')).json).toEqual({
      queued: true,
      kind: 'tag-create',
    });
    expect((await cli('set-tags', t.deviceId, 'zone=a,shelf-2')).json).toEqual({
      queued: true,
      kind: 'set-tags',
    });
    expect((await cli('unblock', t.deviceId)).json).toEqual({ queued: true, kind: 'unblock' });
    expect((await cli('unclaim', gone.deviceId)).json).toEqual({ queued: true, kind: 'unclaim' });
    expect((await cli('tags', 'update', 'zone=a', '--to', 'zone=b')).json).toEqual({
      queued: true,
      kind: 'tag-update',
    });

    const queue = (await cli('queue', '--state', 'pending')).json as Array<{ kind: string }>;
    expect(queue.map((e) => e.kind)).toEqual([
      'block',
      'tag-create',
      'set-tags',
      'unblock',
      'unclaim',
      'tag-update',
    ]);

    const sync = await cli('sync', '--api-url', sim.baseUrl);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.json).toMatchObject({ sent: 6, succeeded: 6, failed: 0, pending: 0 });
    expect(sim.devices.get(t.deviceId)).toMatchObject({ status: 'READY', tags: ['zone=b', 'shelf-2'] });
    expect(sim.devices.has(gone.deviceId)).toBe(false);
    const tags = (await cli('tags')).json;
    expect(tags).toEqual(expect.arrayContaining([{ tag: 'zone=b', description: 'first zone', devices: 1 }]));
  });

  it('refuses a malformed device id or tag with exit code 2 and says what is wrong', async () => {
    const bad = await cli('block', 'not-a-uuid');
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({
      error: { code: 'invalid-argument', message: expect.stringContaining('not-a-uuid') },
    });
    const long = await cli('tags', 'create', 'x'.repeat(101));
    expect(long.code).toBe(2);
    expect(long.json).toMatchObject({ error: { message: expect.stringContaining('101 characters') } });
    expect((await cli('queue')).json).toEqual([]);
  });

  it('retries failed entries and discards unsent ones', async () => {
    const a = makeToken();
    const b = makeToken();
    const db = openDatabase(dir.path);
    const outbox = new OutboxRepository(db);
    const failed = outbox.enqueueClaim(a.deviceId, { token: a.token, tags: [], imei: null }).entry;
    const pending = outbox.enqueueClaim(b.deviceId, { token: b.token, tags: [], imei: null }).entry;
    outbox.markFailed(failed.id, 'Invalid attestation token');
    db.close();
    expect((await cli('retry', '--all-failed')).json).toEqual({ requeued: 1, stillFailed: 0 });
    expect((await cli('discard', pending.id)).json).toEqual({ discarded: 1 });
    const unknown = await cli('discard', '4b8e3b4e-59c4-4f3e-9a9e-8e0c6f1d2a3b');
    expect(unknown.code).toBe(1);
    const states = ((await cli('queue')).json as Array<{ id: string; state: string }>).map((e) => [
      e.id,
      e.state,
    ]);
    expect(states).toEqual([[failed.id, 'pending']]);
  });

  it('does not retry what retrying cannot help, and says what to do instead', async () => {
    const t = makeToken();
    const db = openDatabase(dir.path);
    const outbox = new OutboxRepository(db);
    const theirs = outbox.enqueueClaim(t.deviceId, { token: t.token, tags: [], imei: null }).entry;
    outbox.markFailed(theirs.id, 'Already claimed by another team', 'claimed-elsewhere');
    db.close();
    expect((await cli('retry', '--all-failed')).json).toEqual({ requeued: 0, stillFailed: 1 });
    const one = await cli('retry', theirs.id);
    expect(one.code).toBe(2);
    expect(one.json).toMatchObject({
      error: { message: expect.stringMatching(/cannot help.*ask them to unclaim/) },
    });
    expect((await cli('queue')).json).toEqual([
      expect.objectContaining({ state: 'failed', failure: 'claimed-elsewhere' }),
    ]);
    const listed = await runCli(['--data-dir', dir.path, 'queue'], { env: { FIELDCLAIM_API_KEY: KEY } });
    expect(listed.stdout).toMatch(
      /failed .*Already claimed by another team\n\s+Another team owns this device/,
    );
  });
});
