import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxQueries } from '../../electron/adapters/db/outbox-queries';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { ChangesService } from '../../electron/services/changes-service';
import { TagsRepository } from '../../electron/adapters/db/tags-repo';
import { DevicesRepository } from '../../electron/adapters/db/devices-repo';
import { ApiSimulator } from '../support/api-sim';
import { runCli, startCli } from '../support/cli';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';
import { queueClaims } from '../support/queue';
import { waitFor } from '../support/wait';

const KEY = 'kill-key';
let sim: ApiSimulator;
let dir: ReturnType<typeof tempDir>;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  sim.latencyMs = 15; // wide enough windows for a kill to land between send and commit
  dir = tempDir();
});
afterEach(async () => {
  await sim.stop();
  dir.remove();
});

describe('a sync killed with SIGKILL at random moments, then completed', () => {
  it('claims every device and applies every change exactly once', async () => {
    const claims = Array.from({ length: 200 }, () => makeToken());
    const claimed = Array.from({ length: 60 }, () => makeToken());
    for (const t of claimed) sim.preclaim(t.token, 'team-1');
    queueClaims(dir.path, claims, { tags: (i) => (i % 3 ? [] : ['site=kill']) });
    const db = openDatabase(dir.path);
    const outbox = new OutboxRepository(db);
    const changes = new ChangesService(
      db,
      outbox,
      new TagsRepository(db),
      new DevicesRepository(db),
      new OutboxQueries(db),
    );
    for (const t of claimed) {
      changes.device('block', t.deviceId);
      changes.setTags(t.deviceId, ['site=kill']);
    }
    db.close();

    const args = ['--data-dir', dir.path, 'sync', '--api-url', sim.baseUrl, '--batch-size', '20', '--json'];
    let killedMidSync = 0;
    for (let round = 0; round < 12; round++) {
      const before = sim.requests.length;
      const child = startCli(args, { FIELDCLAIM_API_KEY: KEY });
      const exited = once(child, 'exit');
      let done = false;
      void exited.then(() => (done = true));
      // Kill only once it is talking to the service, at a random point after that.
      await waitFor(() => done || sim.requests.length > before, 'the sync to start talking to the service');
      await sleep(Math.floor(Math.random() * 250));
      if (!done) {
        child.kill('SIGKILL');
        killedMidSync++;
      }
      await exited;
    }
    expect(killedMidSync).toBeGreaterThanOrEqual(6);

    let final = await runCli(args, { env: { FIELDCLAIM_API_KEY: KEY } });
    for (let i = 0; i < 5 && final.code !== 0; i++)
      final = await runCli(args, { env: { FIELDCLAIM_API_KEY: KEY } });
    expect(final.code, final.stderr).toBe(0);
    expect(final.json).toMatchObject({ pending: 0, failed: 0 });

    for (const t of claims) {
      expect(sim.effectCount('claim', t.deviceId), t.deviceId).toBe(1);
      expect(sim.effectCount('repeated-claim', t.deviceId), t.deviceId).toBe(0);
    }
    for (const t of claimed) {
      expect(sim.effectCount('block', t.deviceId)).toBe(1);
      expect(sim.effectCount('set-tags', t.deviceId)).toBe(1);
      expect(sim.devices.get(t.deviceId)).toMatchObject({ status: 'BLOCKED', tags: ['site=kill'] });
    }
    expect(sim.effectCount('tag-create', 'site=kill')).toBe(1);
    const queue = await runCli(['--data-dir', dir.path, 'queue', '--json']);
    const states = (queue.json as Array<{ state: string }>).map((e) => e.state);
    expect(states.filter((s) => s !== 'done')).toEqual([]);
    expect(states).toHaveLength(320);
  });
});
