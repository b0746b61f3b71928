import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBulkCsv } from '../electron/adapters/csv/bulk-csv';
import type { FieldclaimOptions } from '../electron/services/fieldclaim';
import { openTestApp } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { builtTokenFileThread } from '../test/support/token-file-thread';
import { makeToken } from '../test/support/tokens';
import { round } from './enqueue';

const seconds = (since: number) => (performance.now() - since) / 1000;

function rate(rows: number, took: number) {
  return { seconds: round(took), rowsPerSecond: Math.round(rows / took) };
}

/**
 * A 100,000-row token file imported end to end (read, parse, decode every token, queue): as the
 * CLI does it (read on the built worker thread while this one writes), on one thread for
 * comparison, and as the desktop app does it (a preview, then a commit).
 */
export async function benchImport(rows = 100_000) {
  const dir = tempDir('fieldclaim-bench-');
  const path = join(dir.path, 'tokens.csv');
  writeFileSync(
    path,
    toBulkCsv(
      Array.from({ length: rows }, (_v, i) => ({
        token: makeToken().token,
        tags: i % 10 ? [] : ['batch=1'],
      })),
    ),
  );
  const importFile = async (options: Partial<FieldclaimOptions>) => {
    const station = openTestApp(options);
    try {
      let progressUpdates = 0;
      const start = performance.now();
      const result = await station.app.importFile(path, [], () => progressUpdates++);
      const took = seconds(start);
      if (result.queued !== rows) throw new Error(`queued ${result.queued} of ${rows}`);
      return { ...rate(rows, took), progressUpdates };
    } finally {
      station.close();
    }
  };
  const previewThenCommit = async () => {
    const station = openTestApp();
    try {
      let start = performance.now();
      const preview = await station.app.previewImport('tokens.csv', readFileSync(path));
      const previewed = seconds(start);
      start = performance.now();
      const result = station.app.commitImport(preview.id, []);
      const committed = seconds(start);
      if (result.queued !== rows) throw new Error(`queued ${result.queued} of ${rows}`);
      return { preview: rate(rows, previewed), commit: rate(rows, committed) };
    } finally {
      station.close();
    }
  };
  try {
    return {
      rows,
      target: 50_000,
      cli: await importFile({ startTokenFileThread: builtTokenFileThread }),
      oneThread: await importFile({}),
      desktop: await previewThenCommit(),
    };
  } finally {
    dir.remove();
  }
}

/** `tsx bench/import.ts`: only this benchmark, a few times over (the machine is noisy). */
if (require.main === module) {
  void (async () => {
    for (let i = 0; i < Number(process.env.BENCH_REPEAT ?? 3); i++) console.log(await benchImport());
  })();
}
