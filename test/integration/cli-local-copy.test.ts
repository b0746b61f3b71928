import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiSimulator } from '../support/api-sim';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

const KEY = 'cli-copy-key';
let sim: ApiSimulator;
let dir: ReturnType<typeof tempDir>;
const cli = (...args: string[]) =>
  runCli(['--data-dir', dir.path, '--api-url', sim.baseUrl, ...args], { env: { FIELDCLAIM_API_KEY: KEY } });
const listRequests = () =>
  sim.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/claimed-devices?'));

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  dir = tempDir();
});
afterEach(async () => {
  await sim.stop();
  dir.remove();
});

describe('the local copy from the command line', () => {
  it('devices --refresh pulls the list; sync pulls it only when due, or with --refresh', async () => {
    const tokens = Array.from({ length: 120 }, () => makeToken());
    for (const t of tokens) sim.preclaim(t.token, 'team-1');
    const listed = await cli('devices', '--refresh', '--json');
    expect(listed.code).toBe(0);
    expect(listed.json).toHaveLength(120);
    expect(listRequests()).toHaveLength(1);
    queueClaims(dir.path, [makeToken()]);
    expect((await cli('sync', '--json')).json).toMatchObject({ succeeded: 1, devices: 121 });
    expect(listRequests()).toHaveLength(1);
    await cli('sync', '--refresh', '--json');
    expect(listRequests()).toHaveLength(2);
  });

  it('filters devices in SQL and streams them as one JSON document; tags are counted', async () => {
    const tokens = Array.from({ length: 30 }, () => makeToken());
    for (const t of tokens) sim.preclaim(t.token, 'team-1');
    await cli('devices', '--refresh', '--json');
    await cli('tags', 'create', 'zone=a');
    for (const t of tokens.slice(0, 7)) await cli('set-tags', t.deviceId, 'zone=a');
    await cli('sync');
    const tagged = await cli('devices', '--tag', 'zone=a', '--json');
    expect((tagged.json as Array<{ id: string }>).map((d) => d.id).sort()).toEqual(
      tokens
        .slice(0, 7)
        .map((t) => t.deviceId)
        .sort(),
    );
    expect((await cli('tags', '--json')).json).toEqual([{ tag: 'zone=a', description: '', devices: 7 }]);
    const one = await cli('devices', '--search', tokens[12]!.deviceId.slice(4, 16), '--json');
    expect((one.json as Array<{ id: string }>).map((d) => d.id)).toEqual([tokens[12]!.deviceId]);
    const none = await cli('devices', '--tag', 'nope');
    expect(none.stdout).toMatch(/No devices match/);
    const queue = await cli('queue', '--json');
    expect((queue.json as unknown[]).length).toBeGreaterThan(7);
    expect(Object.keys((queue.json as object[])[0]!).sort()).toEqual(
      ['attempts', 'createdAt', 'deviceId', 'failure', 'id', 'kind', 'lastError', 'state'].sort(),
    );
  });
});
