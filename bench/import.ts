import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBulkCsv } from '../electron/adapters/csv/bulk-csv';
import type { FieldclaimOptions } from '../electron/services/fieldclaim';
import { runCli } from '../test/support/cli';
import { openTestApp } from '../test/support/station';
import { tempDir } from '../test/support/temp-dir';
import { builtTokenFileThread } from '../test/support/token-file-thread';
import { makeToken } from '../test/support/tokens';
import { median, round } from './stats';

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Several runs of the same thing: this machine's neighbours make any one run a lottery. */
function spread(rows: number, runs: number[]) {
  const seconds = median(runs);
  return {
    runs: runs.map((r) => round(r, 2)),
    medianSeconds: round(seconds),
    rowsPerSecond: Math.round(rows / seconds),
    bestRowsPerSecond: Math.round(rows / Math.min(...runs)),
    worstRowsPerSecond: Math.round(rows / Math.max(...runs)),
  };
}

/**
 * A 100,000-row token file imported end to end (read, parse, decode every token, queue): as the
 * CLI does it (read on the built worker thread while this one writes), the whole CLI process
 * (start-up included), on one thread for comparison, and as the desktop app does it (a preview,
 * then a commit).
 */
export async function benchImport(rows = 100_000, repeat = Number(process.env.BENCH_REPEAT ?? 5)) {
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
      const start = performance.now();
      const result = await station.app.imports.importFile(path, []);
      const took = seconds(start);
      if (result.queued !== rows) throw new Error(`queued ${result.queued} of ${rows}`);
      return took;
    } finally {
      station.close();
    }
  };
  const cliProcess = async () => {
    const data = tempDir('fieldclaim-bench-cli-');
    try {
      const start = performance.now();
      const run = await runCli(['import', path, '--json'], { env: { FIELDCLAIM_DATA_DIR: data.path } });
      const took = seconds(start);
      if ((run.json as { queued?: number } | null)?.queued !== rows)
        throw new Error(`the CLI import failed: ${run.stderr}`);
      return took;
    } finally {
      data.remove();
    }
  };
  const previewThenCommit = async () => {
    const station = openTestApp();
    try {
      let start = performance.now();
      const preview = await station.app.imports.previewBytes('tokens.csv', readFileSync(path));
      const previewed = seconds(start);
      start = performance.now();
      const result = station.app.imports.commitPreview(preview.id, []);
      const committed = seconds(start);
      if (result.queued !== rows) throw new Error(`queued ${result.queued} of ${rows}`);
      return { preview: spread(rows, [previewed]), commit: spread(rows, [committed]) };
    } finally {
      station.close();
    }
  };
  const times = async (n: number, run: () => Promise<number>) => {
    const runs: number[] = [];
    for (let i = 0; i < n; i++) runs.push(await run());
    return spread(rows, runs);
  };
  try {
    return {
      rows,
      target: 50_000,
      cli: await times(repeat, () => importFile({ startTokenFileThread: builtTokenFileThread })),
      cliProcess: await times(Math.min(repeat, 3), cliProcess),
      oneThread: await times(1, () => importFile({})),
      desktop: await previewThenCommit(),
    };
  } finally {
    dir.remove();
  }
}

/** `tsx bench/import.ts`: only this benchmark (after `npm run build`). */
if (require.main === module) {
  void benchImport().then((result) => console.dir(result, { depth: 4 }));
}
