import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { ApiSimulator } from '../support/api-sim';
import { runCli, runCliOnTerminal } from '../support/cli';
import { plugInBoard } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

const KEY = 'cli-test-key-31337';
let dir: ReturnType<typeof tempDir>;
let sim: ApiSimulator;
let board: Awaited<ReturnType<typeof plugInBoard>> | null = null;

beforeEach(async () => {
  dir = tempDir();
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
});
afterEach(async () => {
  await board?.unplug();
  board = null;
  await sim.stop();
  dir.remove();
});

const withData = (...args: string[]) => ['--data-dir', dir.path, ...args];

describe('fieldclaim CLI', () => {
  it('scan --port queues a claim, then sync claims it', async () => {
    board = await plugInBoard();
    const scan = await runCli(
      withData('scan', '--port', board.pty.appPath, '--tag', 'site=bergen', '--json'),
    );
    expect(scan.code).toBe(0);
    expect(scan.json).toEqual({
      deviceId: board.modem.config.deviceId,
      deviceType: 'nRF9151 LACA',
      imei: '351358815178345',
      model: 'nRF9151-LACA',
      firmware: 'mfw_nrf91x1_2.0.2',
      tags: ['site=bergen'],
      queued: true,
      duplicate: false,
      warnings: [],
      // Additions to the contract: where the board was, and which dialect auto mode found.
      port: board.pty.appPath,
      dialect: 'at',
    });

    const queue = await runCli(withData('queue', '--json'));
    expect(queue.json).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kind: 'claim',
        deviceId: board.modem.config.deviceId,
        state: 'pending',
        attempts: 0,
        lastError: null,
        failure: null,
        createdAt: expect.any(String),
      },
    ]);

    const sync = await runCli(withData('sync', '--api-url', sim.baseUrl, '--json'), {
      env: { FIELDCLAIM_API_KEY: KEY },
    });
    expect(sync.code).toBe(0);
    expect(sync.json).toEqual({ sent: 1, succeeded: 1, failed: 0, pending: 0, devices: 1 });
    expect(sim.effectCount('claim', board.modem.config.deviceId)).toBe(1);

    const devices = await runCli(withData('devices', '--json'));
    expect(devices.json).toEqual([
      expect.objectContaining({
        id: board.modem.config.deviceId,
        tags: ['site=bergen'],
        status: 'READY',
        pending: [],
      }),
    ]);
  });

  it('prints human text without --json', async () => {
    const queue = await runCli(withData('queue'));
    expect(queue.code).toBe(0);
    expect(queue.stdout).toMatch(/outbox is empty/);
  });

  it('exits 3 when there is no key, with nothing dropped', async () => {
    board = await plugInBoard();
    await runCli(withData('scan', '--port', board.pty.appPath, '--json'));
    const sync = await runCli(withData('sync', '--api-url', sim.baseUrl, '--json'));
    expect(sync.code).toBe(3);
    expect(sync.json).toMatchObject({ pending: 1, stopped: { reason: 'no-key' } });
  });

  it('exits 3 when the key is refused, and 4 when the API cannot be reached', async () => {
    board = await plugInBoard();
    await runCli(withData('scan', '--port', board.pty.appPath));
    const refused = await runCli(withData('sync', '--api-url', sim.baseUrl, '--json'), {
      env: { FIELDCLAIM_API_KEY: 'nope' },
    });
    expect(refused.code).toBe(3);
    const url = sim.baseUrl;
    await sim.stop();
    const offline = await runCli(withData('sync', '--api-url', url, '--json'), {
      env: { FIELDCLAIM_API_KEY: KEY },
    });
    expect(offline.code).toBe(4);
    expect(offline.json).toMatchObject({ pending: 1, stopped: { reason: 'offline' } });
  });

  it('exits 1 when the device does not answer, naming the port', async () => {
    board = await plugInBoard({ silent: true });
    const scan = await runCli(withData('scan', '--port', board.pty.appPath, '--timeout-ms', '300', '--json'));
    expect(scan.code).toBe(1);
    expect(scan.json).toMatchObject({
      error: { code: 'device-no-answer', message: expect.stringContaining(board.pty.appPath) },
    });
  });

  it('exits 2 for usage errors and refused API URLs', async () => {
    expect((await runCli(withData('scan'))).code).toBe(2);
    expect((await runCli(withData('scan', '--port', '/dev/x', '--mode', 'telepathy'))).code).toBe(2);
    const refused = await runCli(withData('sync', '--api-url', 'https://evil.example/v1/', '--json'), {
      env: { FIELDCLAIM_API_KEY: KEY },
    });
    expect(refused.code).toBe(2);
    expect(refused.json).toMatchObject({ error: { code: 'url-refused' } });
  });

  it('key set without a Secret Service keeps the key in memory and says so; the env key shows as env', async () => {
    const set = await runCli(withData('key', 'set', '--json'), { stdin: 'some-key\n' });
    expect(set.code).toBe(0);
    expect(set.json).toEqual({ stored: true, backend: 'memory' });
    const status = await runCli(withData('key', 'status', '--json'), { env: { FIELDCLAIM_API_KEY: KEY } });
    expect(status.json).toEqual({ stored: true, backend: 'env' });
    expect(status.stdout + status.stderr).not.toContain(KEY);
    const none = await runCli(withData('key', 'status', '--json'));
    expect(none.json).toEqual({ stored: false, backend: null });
  });
});

describe('fieldclaim CLI on a terminal', () => {
  it('shows how far import and sync have got, on one line that it ends', async () => {
    const tokens = Array.from({ length: 3000 }, () => makeToken());
    const file = join(dir.path, 'tokens.csv');
    writeFileSync(file, toBulkCsv(tokens.map((t) => ({ token: t.token, tags: [] }))));
    const imported = await runCliOnTerminal(withData('import', file));
    expect(imported.code).toBe(0);
    const steps = [...imported.screen.matchAll(/\rimport: (\d+)%/g)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThan(1);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.at(-1)).toBe(100);
    expect(imported.screen).toMatch(/import: 100% *\r?\nQueued 3000 claims;/);

    const synced = await runCliOnTerminal(withData('sync', '--api-url', sim.baseUrl), {
      FIELDCLAIM_API_KEY: KEY,
    });
    expect(synced.code).toBe(0);
    expect(synced.screen).toMatch(/\rsync: 3000\/3000 sent/);
    for (const t of [tokens[0]!, tokens[2999]!]) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
  });
});
