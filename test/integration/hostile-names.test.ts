import { describe, expect, it } from 'vitest';
import { tagKey } from '../../electron/core/outbox-entry';
import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';

import { useConnectedStation } from '../support/connected-station';
import { fastRetries } from '../support/station';

const KEY = 'names-key';
const env = useConnectedStation(KEY, { retryPolicy: fastRetries });

describe('tag names that would climb out of their request path', () => {
  it('a ".." pulled from the service is shown, but no change to it can be queued', async () => {
    env.sim.tags.set('odd', {
      id: 'odd',
      tag: '..',
      description: 'made elsewhere',
      createdAt: '',
      team: 'team-1',
    });
    await env.station.app.sync.refreshNow();
    expect(env.station.app.devices.tags().map((t) => t.tag)).toContain('..');
    expect(() => env.station.app.changes.deleteTag('..')).toThrow(/cannot be a tag name/);
    expect(() => env.station.app.changes.updateTag('..', { description: 'x' })).toThrow(
      /cannot be a tag name/,
    );
    expect(() => env.station.app.changes.createTag('.')).toThrow(/cannot be a tag name/);
  });

  it('a change to "." or ".." already in the outbox (an older build queued it) is refused before it is sent', async () => {
    const db = openDatabase(env.station.dataDir);
    const outbox = new OutboxRepository(db);
    outbox.enqueue('tag-delete', tagKey('..'), { tag: '..' });
    outbox.enqueue('tag-update', tagKey('.'), { tag: '.', to: 'x', description: null });
    db.close();
    await env.station.app.sync.run();
    expect(env.station.app.queue.list().map((e) => [e.state, e.lastError])).toEqual([
      ['failed', expect.stringMatching(/cannot be sent/)],
      ['failed', expect.stringMatching(/cannot be sent/)],
    ]);
    const changes = env.sim.requests.filter((r) => r.method === 'DELETE' || r.method === 'PUT');
    expect(changes).toEqual([]);
  });
});
