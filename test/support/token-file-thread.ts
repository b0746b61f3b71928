import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StartTokenFileThread } from '../../electron/adapters/csv/token-file-thread';

const sourceEntry = resolve(__dirname, '../../electron/workers/token-file-reader.ts');
const builtEntry = resolve(__dirname, '../../out/main/token-file-reader.js');

/** A worker thread running a TypeScript entry (through tsx's loader), as tests run source. */
export const typeScriptThread =
  (entry: string): StartTokenFileThread =>
  (workerData, transferList) =>
    new Worker(resolve(__dirname, 'ts-worker.mjs'), { argv: [entry], workerData, transferList });

/** The token file reader from source. */
export const sourceTokenFileThread = typeScriptThread(sourceEntry);

/** The built reader, as the CLI starts it: what benchmarks measure. */
export const builtTokenFileThread: StartTokenFileThread = (workerData, transferList) => {
  if (!existsSync(builtEntry)) throw new Error(`${builtEntry} is missing: run \`npm run build\` first`);
  return new Worker(builtEntry, { workerData, transferList });
};
