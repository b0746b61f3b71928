import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCliAtScale, benchImportMemory, benchRefreshResume, benchSyncAtScale } from './cost';
import { benchDevicePull } from './devices';
import { benchEnqueue } from './enqueue';
import { benchFieldProfiles } from './field-profiles';
import { benchImport } from './import';
import { benchScreens } from './screens';
import { benchSerial } from './serial';
import { benchSync } from './sync';

/**
 * `npm run bench`: the timing goals of the issues, measured on this machine and written to
 * bench-results/bench.json. Timing lives here, never in the test suite.
 */
async function main(): Promise<void> {
  const results: Record<string, unknown> = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  };
  results.outboxEnqueue = benchEnqueue(100_000);
  console.log('outbox enqueue', results.outboxEnqueue);
  results.outboxSync = await benchSync(5000, 50, Number(process.env.BENCH_SEQUENTIAL_SAMPLE ?? 500));
  console.log('outbox sync', results.outboxSync);
  results.import = await benchImport();
  console.log('import', results.import);
  results.screens = await benchScreens();
  console.log('Queue and Devices screens in Chromium', JSON.stringify(results.screens));
  results.devicePull = await benchDevicePull();
  console.log('device pull', results.devicePull);
  results.serial = await benchSerial();
  console.log('serial', results.serial);
  results.fieldProfiles = await benchFieldProfiles();
  console.log('field profiles', JSON.stringify(results.fieldProfiles));
  results.syncAtScale = await benchSyncAtScale();
  console.log('sync at scale', JSON.stringify(results.syncAtScale));
  results.refreshResume = await benchRefreshResume();
  console.log('refresh resumed', JSON.stringify(results.refreshResume));
  results.cliAtScale = await benchCliAtScale();
  console.log('CLI at scale', JSON.stringify(results.cliAtScale));
  results.importMemory = await benchImportMemory();
  console.log('import memory', JSON.stringify(results.importMemory));
  const dir = join(__dirname, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'bench.json'),
    `${JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2)}\n`,
  );
  console.log(`written to ${join(dir, 'bench.json')}`);
}

void main();
