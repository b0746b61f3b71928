import { openTestApp, plugInBoard } from '../test/support/station';
import { median, round } from './stats';

/**
 * Reading boards over virtual serial ports. Overhead: time from the read request to the claim
 * queued, minus the simulator's own configured response time (four commands in AT mode).
 */
export async function benchSerial(responseDelayMs = 20, reads = 20, boardsInParallel = 8) {
  const station = openTestApp();
  const boards = await Promise.all(
    Array.from({ length: boardsInParallel }, () => plugInBoard({ responseDelayMs })),
  );
  try {
    const readOne = async (i: number) => {
      const start = performance.now();
      await station.app.station.read({ port: boards[i]!.pty.appPath, tags: [], mode: 'at' });
      return performance.now() - start;
    };
    await readOne(0); // warm up
    const single: number[] = [];
    for (let i = 0; i < reads; i++) single.push(await readOne(0));
    const simulatorMs = 4 * responseDelayMs;

    const sequentialStart = performance.now();
    for (let i = 0; i < boards.length; i++) await readOne(i);
    const sequentialMs = performance.now() - sequentialStart;
    const parallelStart = performance.now();
    await Promise.all(boards.map((_b, i) => readOne(i)));
    const parallelMs = performance.now() - parallelStart;

    const autoStart = performance.now();
    await station.app.station.read({ port: boards[0]!.pty.appPath, tags: [], mode: 'auto' });
    const autoMs = performance.now() - autoStart;
    return {
      simulatorResponseMs: simulatorMs,
      oneBoardMedianMs: round(median(single), 1),
      overheadMedianMs: round(median(single) - simulatorMs, 1),
      autoModeOneBoardMs: round(autoMs, 1),
      boards: boardsInParallel,
      sequentialMs: round(sequentialMs, 1),
      parallelMs: round(parallelMs, 1),
      parallelVersusOneBoard: round(parallelMs / median(single), 2),
      targets: { overheadMs: 20, parallelVersusOneBoard: 1.5 },
    };
  } finally {
    await Promise.all(boards.map((b) => b.unplug()));
    station.close();
  }
}
