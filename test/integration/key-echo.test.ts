import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBulkClaim } from '../support/api-sim';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { useConnectedStation } from '../support/connected-station';
import { fastRetries } from '../support/station';
import { makeToken } from '../support/tokens';

// A key with no "Bearer " before it when echoed: only the client's own redaction can catch it.
const KEY = 'sk-echo-4e1d9c07b35a28f6e09d1c4b7a3f5e2d';
const env = useConnectedStation(KEY, { retryPolicy: fastRetries });

/** Every 8-character piece of the key: a key cut in half by a 300-character limit still leaks. */
const pieces = Array.from({ length: KEY.length - 7 }, (_v, i) => KEY.slice(i, i + 8));
const leaks = (text: string) => pieces.filter((p) => text.includes(p));

function everythingWritten(dir: string): string {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
    );
  return files(dir)
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

describe('a server that echoes the key', () => {
  it('in an error body, across the 300-character cut: no piece of the key is stored, logged or shown', async () => {
    queueClaims(env.station.dataDir, [makeToken()]);
    env.sim.standing = {
      kind: 'body',
      status: 400,
      body: JSON.stringify({ message: `${'x'.repeat(285)}${KEY} refused` }),
    };
    await env.station.app.sync.run();
    const [entry] = env.station.app.queue.list();
    expect(entry).toMatchObject({ state: 'failed', lastError: expect.stringContaining('[redacted]') });
    const report = (await env.station.app.status.diagnostics()).text;
    const cli = await runCli(['--data-dir', env.station.dataDir, 'queue', '--json']);
    expect(
      leaks(
        JSON.stringify(env.station.app.queue.list()) +
          report +
          cli.stdout +
          everythingWritten(env.station.dataDir),
      ),
    ).toEqual([]);
  });

  it('in a 2xx: a bulk answer naming failed rows, and a device object that carries it', async () => {
    const [a, b] = [makeToken(), makeToken()];
    // The device list pulled earlier (empty): this sync does not pull it again over what it stores.
    await env.station.app.sync.run();
    queueClaims(env.station.dataDir, [a, b]);
    env.sim.standing = {
      kind: 'body',
      status: 200,
      body: JSON.stringify({ items: [], failed: [{ row: 1, message: `key ${KEY} may not claim this` }] }),
      when: isBulkClaim,
    };
    env.sim.faults.push(
      // The refused row, sent alone to learn why: refused again, with the key in the words.
      {
        kind: 'status',
        status: 400,
        message: `key ${KEY} may not claim this`,
        when: (r) => r.method === 'POST' && r.path === '/v1/claimed-devices' && !isBulkClaim(r),
      },
      // The second row was not explained: it is looked up, and the "service" answers with the key in it.
      {
        kind: 'body',
        status: 200,
        body: JSON.stringify({
          id: b.deviceId,
          deviceType: 'nrf9151_LACA',
          tags: [],
          status: 'READY',
          note: KEY,
        }),
        when: (r) => r.method === 'GET' && r.path.includes(b.deviceId),
      },
    );
    await env.station.app.sync.run();
    expect(
      env.station.app.queue
        .list()
        .map((e) => e.state)
        .sort(),
    ).toEqual(['done', 'failed']);
    const detail = env.station.app.devices.detail(b.deviceId);
    const written =
      JSON.stringify(env.station.app.queue.list()) +
      JSON.stringify(detail) +
      everythingWritten(env.station.dataDir);
    expect(leaks(written)).toEqual([]);
    expect(JSON.stringify(detail.raw)).toContain('[redacted]');
  });
});
