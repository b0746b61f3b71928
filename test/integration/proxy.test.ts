import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiSimulator } from '../support/api-sim';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

const KEY = 'proxy-key';
let sim: ApiSimulator;
let dir: ReturnType<typeof tempDir>;
let proxy: Server;
/** What reached the proxy: CONNECT targets and plain requests. */
let seen: string[];
let proxyUrl: string;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  dir = tempDir();
  seen = [];
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  // A corporate proxy that lets nothing out here (there is no internet): it only writes down who asked.
  proxy.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await sim.stop();
  await new Promise((resolve) => proxy.close(resolve));
  dir.remove();
});

const env = () => ({ FIELDCLAIM_API_KEY: KEY, HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl });

describe('the command line behind a proxy', () => {
  it('reaches nRF Cloud through the proxy the environment names', async () => {
    queueClaims(dir.path, [makeToken()]);
    const run = await runCli(['--data-dir', dir.path, 'sync', '--json'], { env: env() });
    expect(seen).toContain('CONNECT api.provisioning.nrfcloud.com:443');
    // The proxy let nothing through: the claim waits, nothing dropped.
    expect(run.code).toBe(4);
    expect(run.json).toMatchObject({ pending: 1 });
  });

  it('never sends the key to a loopback test server through a proxy', async () => {
    const t = makeToken();
    queueClaims(dir.path, [t]);
    const run = await runCli(['--data-dir', dir.path, '--api-url', sim.baseUrl, 'sync', '--json'], {
      env: env(),
    });
    expect(run.code).toBe(0);
    expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    expect(seen).toEqual([]);
  });
});
