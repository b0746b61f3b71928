import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBulkCsv } from '../electron/adapters/csv/bulk-csv';
import { openTestApp } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { makeToken } from '../test/support/tokens';
import { round } from './enqueue';

/** A 100,000-row token file imported end to end (read, parse, decode every token, queue). */
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
  const station = openTestApp();
  try {
    let progressUpdates = 0;
    const start = performance.now();
    const result = await station.app.importFile(path, [], () => progressUpdates++);
    const seconds = (performance.now() - start) / 1000;
    if (result.queued !== rows) throw new Error(`queued ${result.queued} of ${rows}`);
    return {
      rows,
      seconds: round(seconds),
      rowsPerSecond: Math.round(rows / seconds),
      progressUpdates,
      target: 50_000,
    };
  } finally {
    station.close();
    dir.remove();
  }
}
