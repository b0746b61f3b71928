/**
 * `npm run demo`: the window in a browser, with the real services against the Provisioning API
 * simulator and simulated boards on socat ptys, listed as Nordic kits with USB serial numbers:
 * one reads fine, one fails (modem firmware too old for %ATTESTTOKEN), one is slow, and one is
 * plugged in a few seconds after the start. Auto sync sends what they queue.
 *
 * Dev tooling only: it lives under test/ (never packaged, see test/packaging/package-dry.ts) and is
 * no electron-vite input. Needs socat, and a build (`npm run demo` builds first).
 *   tsx test/demo/demo.ts [--port 5183] [--hot-plug-after-ms 6000]
 */
import { ApiSimulator } from '../support/api-sim';
import { queueClaims } from '../support/queue';
import { SimulatedBench } from '../support/scene';
import { memorySecretBackend } from '../support/station';
import { TestTransport } from '../support/test-transport';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';
import { Fieldclaim } from '../../electron/services/fieldclaim';

const DEMO_KEY = 'demo-api-key';

export interface DemoOptions {
  /** 0: any free port. */
  port?: number;
  hotPlugAfterMs?: number;
  /** How often the station looks at the ports, and auto sync at the API. */
  stationIntervalMs?: number;
  autoSyncIntervalMs?: number;
}

export async function startDemo(options: DemoOptions = {}) {
  const sim = await new ApiSimulator().start();
  sim.addKey(DEMO_KEY);
  // A network a progress bar can be seen on.
  sim.latencyMs = 60;
  const bench = new SimulatedBench();
  const dir = tempDir();
  const app = new Fieldclaim({
    dataDir: dir.path,
    secretBackend: memorySecretBackend(DEMO_KEY),
    userAgent: 'Fieldclaim/demo',
    settingsOverrides: { apiUrl: sim.baseUrl },
    listPorts: bench.listPorts,
    bulkBatchSize: 25,
  });
  app.settings.update({ siteTags: ['location=Trondheim', 'customer=Acme'], timeoutMs: 5000 });

  // Yesterday's work: claimed devices and tags to browse, and claims still waiting to go out.
  const earlier = Array.from({ length: 40 }, (_, i) => makeToken({ deviceType: i % 4 === 0 ? 4 : 6 }));
  queueClaims(dir.path, earlier, {
    tags: (i) => ['location=Trondheim', i % 2 ? 'zone=north' : 'zone=south'],
  });
  await app.sync.run({ refresh: true });
  queueClaims(
    dir.path,
    Array.from({ length: 150 }, () => makeToken()),
    { tags: ['location=Trondheim', 'batch-6'] },
  );

  await bench.add({
    config: { dialect: 'shell', ansi: true, deviceType: 6 },
    usb: { serialNumber: '001051200011' },
  });
  await bench.add({
    config: { attestTokenSupported: false, numberedErrors: true },
    usb: { serialNumber: '001050900012' },
  });
  await bench.add({ config: { responseDelayMs: 200, deviceType: 4 }, usb: { serialNumber: '001050900013' } });
  const later = await bench.add(
    { config: { deviceType: 6, model: 'nRF9151-LACA' }, usb: { serialNumber: '001051200014' } },
    false,
  );
  // Listed, never read: the fine kit's second port, a kit with no nRF91, a plain USB-serial adapter.
  bench.extraPorts.push(
    { path: '/dev/ttyACM9', serialNumber: '001051200011', interfaceNumber: 2 },
    { path: '/dev/ttyACM7', serialNumber: '001050012345', interfaceNumber: 0 },
    { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' },
  );
  const hotPlug = setTimeout(() => later.plug(), options.hotPlugAfterMs ?? 6000);

  const transport = await new TestTransport(app, { injectApi: true, port: options.port ?? 5183 }).start();
  app.startStation(options.stationIntervalMs ?? 1000);
  app.sync.startAuto(options.autoSyncIntervalMs ?? 10_000);

  return {
    url: transport.url,
    app,
    async close() {
      clearTimeout(hotPlug);
      await transport.stop();
      app.close();
      await bench.close();
      await sim.stop();
      dir.remove();
    },
  };
}

function option(name: string): number | undefined {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

if (require.main === module) {
  void startDemo({ port: option('--port'), hotPlugAfterMs: option('--hot-plug-after-ms') }).then(
    (demo) => {
      console.log(`Fieldclaim demo: open ${demo.url} in a browser (Ctrl-C stops it).`);
      console.log('Boards: one fine, one failing, one slow; a fourth is plugged in after a few seconds.');
      const stop = () => void demo.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(`The demo could not start: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
