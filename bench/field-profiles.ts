import { readFileSync } from 'node:fs';
import type { ReadMode } from '../electron/shared/types';
import {
  fieldDataDir,
  fieldDataFiles,
  fieldDataPath,
  fieldDataPresent,
  readFieldJson,
  type SerialProfile,
} from '../test/support/field-data';
import { ProfileDevice, type ProfileDeviceOptions } from '../test/support/profile-device';
import { openPtyPair } from '../test/support/pty-pair';
import { openTestApp } from '../test/support/station';
import { median, round } from './stats';

/** One read of a stand-in board: how long until it settled, and what it settled on. */
async function timeRead(
  board: SerialProfile | { boot: Buffer },
  mode: ReadMode,
  options: ProfileDeviceOptions & { timeoutMs?: number } = {},
): Promise<{ ms: number; outcome: string }> {
  const station = openTestApp();
  const pty = await openPtyPair();
  const device = await ProfileDevice.start(pty.devicePath, 'boot' in board ? 'silent' : board, options);
  try {
    const start = performance.now();
    const outcome = await station.app.station
      .read({
        port: pty.appPath,
        tags: [],
        mode,
        timeoutMs: options.timeoutMs ?? 5000,
        onStage: (stage) => void ('boot' in board && stage === 'reading' && device.print(board.boot)),
      })
      .then(
        (r) => `${r.dialect}${r.imei ? '' : ', no IMEI'}`,
        (err: { code?: string }) => err.code ?? 'error',
      );
    return { ms: performance.now() - start, outcome };
  } finally {
    await device.close();
    await pty.close();
    station.close();
  }
}

async function timeReads(
  board: SerialProfile | { boot: Buffer },
  mode: ReadMode,
  reads: number,
  options: ProfileDeviceOptions & { timeoutMs?: number } = {},
) {
  const runs = [];
  for (let i = 0; i < reads; i++) runs.push(await timeRead(board, mode, options));
  const outcomes = [...new Set(runs.map((r) => r.outcome))];
  return { medianMs: round(median(runs.map((r) => r.ms)), 1), outcome: outcomes.join(' | ') };
}

/**
 * Auto mode against every board of the field data (serial/profiles over pty pairs, and the boot
 * logs printed by a board that answers nothing): time from the read request to its result, which
 * must be the one the profile expects. Also each profile on a board that ignores commands for its
 * first 1.5 s (reset as its port opened), which the probe retries are for.
 */
export async function benchFieldProfiles(reads = 5) {
  if (!fieldDataPresent) return { skipped: `no field data at ${fieldDataDir}` };
  const profiles: Record<string, unknown> = {};
  for (const name of fieldDataFiles('serial/profiles', '.json')) {
    const profile = readFieldJson<SerialProfile>('serial/profiles', name);
    profiles[name.replace(/\.json$/, '')] = {
      expected: profile.expect.dialect ?? profile.expect.error,
      auto: await timeReads(profile, 'auto', reads),
      autoDeafFor1500Ms: await timeReads(profile, 'auto', reads, { deafForMs: 1500 }),
    };
  }
  const bootLogs: Record<string, unknown> = {};
  for (const name of fieldDataFiles('serial/boot', '.log')) {
    const boot = readFileSync(fieldDataPath('serial/boot', name));
    bootLogs[name] = await timeReads({ boot }, 'auto', Math.min(reads, 3), { timeoutMs: 2000 });
  }
  return { reads, profiles, bootLogsInAutoMode: bootLogs };
}

if (require.main === module) {
  void benchFieldProfiles(Number(process.env.BENCH_READS ?? 5)).then((r) =>
    console.log(JSON.stringify(r, null, 2)),
  );
}
