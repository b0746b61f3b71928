import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tagKey } from '../../electron/core/outbox-entry';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { ApiSimulator } from '../support/api-sim';
import { connectedStation, fastRetries } from '../support/station';

const KEY = 'names-key';
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

describe('tag names that would climb out of their request path', () => {
  it('a ".." pulled from the service is shown, but no change to it can be queued', async () => {
    sim.tags.set('odd', {
      id: 'odd',
      tag: '..',
      description: 'made elsewhere',
      createdAt: '',
      team: 'team-1',
    });
    await station.app.sync.refreshNow();
    expect(station.app.devices.tags().map((t) => t.tag)).toContain('..');
    expect(() => station.app.changes.deleteTag('..')).toThrow(/cannot be a tag name/);
    expect(() => station.app.changes.updateTag('..', { description: 'x' })).toThrow(/cannot be a tag name/);
    expect(() => station.app.changes.createTag('.')).toThrow(/cannot be a tag name/);
  });

  it('a change to "." or ".." already in the outbox (an older build queued it) is refused before it is sent', async () => {
    const db = openDatabase(station.dataDir);
    const outbox = new OutboxRepository(db);
    outbox.enqueue('tag-delete', tagKey('..'), { tag: '..' });
    outbox.enqueue('tag-update', tagKey('.'), { tag: '.', to: 'x', description: null });
    db.close();
    await station.app.sync.run();
    expect(station.app.queue.list().map((e) => [e.state, e.lastError])).toEqual([
      ['failed', expect.stringMatching(/cannot be sent/)],
      ['failed', expect.stringMatching(/cannot be sent/)],
    ]);
    const changes = sim.requests.filter((r) => r.method === 'DELETE' || r.method === 'PUT');
    expect(changes).toEqual([]);
  });
});
