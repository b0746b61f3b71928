import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialLineChannel } from '../../electron/adapters/serial/line-channel';
import { keytarBackend } from '../../electron/adapters/secrets/key-store';
import { createDispatcher } from '../../electron/services/dispatch';
import { ApiSimulator, isChange } from '../support/api-sim';
import { runCli } from '../support/cli';
import { memorySecretBackend, openTestApp, plugInBoard, connectedStation } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

const NEEDLE = 'NEEDLE-KEY-7f3c9a1e5b2d';
let sim: ApiSimulator;
beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(NEEDLE);
});
afterEach(async () => sim.stop());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('the API key never leaves the keychain', () => {
  it('is in no IPC response, database page, WAL, export or CLI output after a full cycle with errors', async () => {
    // The real keychain where the test command provides one; the memory fallback otherwise.
    const backend = process.env.FIELDCLAIM_EXPECT_KEYCHAIN === '1' ? keytarBackend() : memorySecretBackend();
    const board = await plugInBoard();
    const station = openTestApp({
      secretBackend: backend,
      settingsOverrides: { apiUrl: sim.baseUrl },
      syncMaxWaitMs: 0,
      // The board's pty is a port the system lists (the window may read only those, or serial devices).
      listPorts: async () => [{ path: board.pty.appPath }],
    });
    const responses: unknown[] = [];
    const dispatch = createDispatcher(station.app);
    const callAll = async (channel: string, args: unknown) => {
      const result = await dispatch(channel, args);
      responses.push(result);
      return result;
    };
    const pushed: unknown[] = [];
    for (const event of ['statusChanged', 'syncProgress', 'stationChanged', 'importProgress'] as const) {
      station.app.on(event, (payload: unknown) => pushed.push(payload));
    }
    const exportsDir = tempDir();
    try {
      await callAll('setApiKey', { key: NEEDLE });
      await callAll('getStatus', {});
      await callAll('readPort', { port: board.pty.appPath, tags: ['site=leak'] });
      await callAll('readPort', { port: '/dev/ttyACM97' });
      const imported = makeToken();
      const preview = (await callAll('previewImport', {
        name: 'x.csv',
        base64: Buffer.from(`${imported.token}\nnot-a-token\n`).toString('base64'),
      })) as { value: { id: string } };
      await callAll('commitImport', { id: preview.value.id, tags: [] });
      // Failed requests and error paths: a 500, a reset, a 429, and a hostile server echoing the key.
      sim.faults.push({ kind: 'status', status: 500 }, { kind: 'reset' });
      await callAll('sync', {});
      sim.faults.push({
        kind: 'status',
        status: 400,
        message: `bad request from Bearer ${NEEDLE} for ${imported.token}`,
      });
      await callAll('sync', {});
      await callAll('retryEntry', { id: 'all-failed' });
      sim.faults.push({ kind: 'status', status: 429, retryAfter: '0' });
      await callAll('sync', {});
      await callAll('sync', {});
      await callAll('updateSettings', { apiUrl: 'https://evil.example/v1/' });
      for (const channel of [
        'queryQueue',
        'queryDevices',
        'matchingDeviceIds',
        'getSettings',
        'getStation',
        'listPorts',
        'getStatus',
      ]) {
        await callAll(channel, {});
      }
      for (const what of ['queue', 'devices'] as const) await callAll('exportFile', { what });
      await callAll('exportFile', { what: 'queue', format: 'gather' });
      await callAll('saveDiagnostics', {});

      expect(sim.authorizations.length).toBeGreaterThan(0); // the key was really used
      expect(JSON.stringify(responses)).not.toContain(NEEDLE);
      expect(JSON.stringify(pushed)).not.toContain(NEEDLE);
      expect(JSON.stringify(station.app.queue.list())).not.toContain(NEEDLE);
      // The database, its WAL and shared memory, byte for byte.
      const dbFiles = filesUnder(station.dataDir);
      expect(dbFiles.some((f) => f.endsWith('-wal'))).toBe(true);
      for (const file of dbFiles) expect(readFileSync(file).includes(NEEDLE), file).toBe(false);

      // The CLI with the key from the environment, through errors: nothing printed, nothing exported.
      sim.faults.push({ kind: 'status', status: 401, message: `refused ${NEEDLE}` });
      const env = { FIELDCLAIM_API_KEY: NEEDLE };
      const outputs = [
        await runCli(['--data-dir', station.dataDir, 'sync', '--api-url', sim.baseUrl], { env }),
        await runCli(['--data-dir', station.dataDir, 'sync', '--api-url', sim.baseUrl, '--json'], { env }),
        await runCli(['--data-dir', station.dataDir, 'key', 'status'], { env }),
        await runCli(['--data-dir', station.dataDir, 'queue', '--json'], { env }),
        await runCli(['--data-dir', station.dataDir, 'export', join(exportsDir.path, 'q.csv')], { env }),
        await runCli(
          ['--data-dir', station.dataDir, 'export', join(exportsDir.path, 'r.csv'), '--what', 'devices'],
          { env },
        ),
        await runCli(['--data-dir', station.dataDir, 'sync', '--api-url', 'https://evil.example/v1/'], {
          env,
        }),
      ];
      outputs.push(
        await runCli(['--data-dir', station.dataDir, 'diagnostics', join(exportsDir.path, 'd.txt')], { env }),
      );
      for (const out of outputs) expect(out.stdout + out.stderr).not.toContain(NEEDLE);
      for (const file of [...filesUnder(exportsDir.path), ...filesUnder(station.dataDir)]) {
        expect(readFileSync(file).includes(NEEDLE), file).toBe(false);
      }
      // The diagnostics log and report: no key (above), and no whole token.
      const diagnostics = [...filesUnder(join(station.dataDir, 'logs')), join(exportsDir.path, 'd.txt')].map(
        (f) => readFileSync(f, 'utf8'),
      );
      expect(diagnostics.join('\n')).toMatch(/ERROR {2}readPort: .*\/dev\/ttyACM97/);
      for (const text of diagnostics) expect(text).not.toContain(imported.token);
    } finally {
      await station.app.keys.clear();
      station.close();
      await board.unplug();
      exportsDir.remove();
    }
  });
});

describe('where the key may go', () => {
  it('refuses a URL that is not an nRF Cloud provisioning host or loopback before any connection', async () => {
    for (const apiUrl of [
      'https://evil.example/v1/',
      'http://api.provisioning.nrfcloud.com/v1/',
      'http://192.0.2.1:8080/v1/',
    ]) {
      const calls: string[] = [];
      const station = openTestApp({
        secretBackend: memorySecretBackend(NEEDLE),
        settingsOverrides: { apiUrl },
        fetch: async (url) => {
          calls.push(url);
          throw new Error('no connection may be made');
        },
      });
      try {
        await expect(station.app.sync.run()).rejects.toMatchObject({ code: 'url-refused' });
        await expect(station.app.sync.probe()).rejects.toMatchObject({ code: 'url-refused' });
        expect(calls).toEqual([]);
      } finally {
        station.close();
      }
    }
  });

  it('does not follow a redirect, so the Authorization header never reaches another host', async () => {
    const elsewhere: Array<string | undefined> = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.headers.authorization);
      res.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    const station = connectedStation(sim, NEEDLE);
    try {
      const t = makeToken();
      await station.app.imports.importFile(writeTemp(`${t.token}\n`), []);
      sim.faults.push({
        kind: 'redirect',
        location: `http://127.0.0.1:${port}/v1/claimed-devices`,
        when: isChange,
      });
      await station.app.sync.run();
      expect(elsewhere).toEqual([]);
      expect(station.app.queue.list()[0]).toMatchObject({
        state: 'pending',
        lastError: expect.stringMatching(/redirect/),
      });
    } finally {
      station.close();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

const temps: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => temps.splice(0).forEach((t) => t.remove()));
function writeTemp(content: string): string {
  const dir = tempDir();
  temps.push(dir);
  const path = join(dir.path, 'tokens.csv');
  writeFileSync(path, content);
  return path;
}

describe('untrusted input stays bounded and inert', () => {
  it('a device streaming without newlines cannot grow a line without limit', async () => {
    const board = await plugInBoard({ silent: true });
    const channel = await SerialLineChannel.open(board.pty.appPath, { baudRate: 115200, rtscts: false });
    try {
      const flood = Buffer.alloc(2 * 1024 * 1024, 0x41);
      await board.modem.sendRaw(Buffer.concat([flood, Buffer.from('\r\nOK\r\n')]));
      const first = await channel.readLine(Date.now() + 20_000);
      expect(first.length).toBeLessThanOrEqual(16 * 1024);
      expect(await channel.readLine(Date.now() + 5_000)).toBe('OK');
    } finally {
      await channel.close();
      await board.unplug();
    }
  });

  it('the renderer never renders outside data as HTML', () => {
    const sources = filesUnder(join(__dirname, '../../renderer/src')).filter((f) => /\.(svelte|ts)$/.test(f));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/\{@html|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
    expect(existsSync(join(__dirname, '../../renderer/index.html'))).toBe(true);
  });
});
