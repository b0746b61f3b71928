import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import {
  readTokenFileOnThread,
  type StartTokenFileThread,
} from '../../electron/adapters/csv/token-file-thread';
import { packClaims } from '../../electron/adapters/db/packed-claims';
import { openTestApp } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { sourceTokenFileThread, typeScriptThread } from '../support/token-file-thread';
import { makeToken } from '../support/tokens';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

/** A stand-in reader on a real worker thread that says what the test scripts, in the same protocol. */
function scriptedThread(messages: unknown[], started: Worker[] = []): StartTokenFileThread {
  return (workerData, transferList) => {
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const posted = new Int32Array(workerData.signal);
       for (const message of workerData.script) {
         workerData.port.postMessage(message);
         Atomics.add(posted, 0, 1);
         Atomics.notify(posted, 0);
       }
       // Stays alive without a word, as a stuck reader would.
       setInterval(() => {}, 1000);`,
      { eval: true, workerData: { ...workerData, script: messages }, transferList },
    );
    started.push(worker);
    return worker;
  };
}

/** Imports through this reader must fail as expected and leave the queue empty. */
async function expectImportRefused(start: StartTokenFileThread, path: string, error: object) {
  const station = openTestApp({ startTokenFileThread: start });
  try {
    await expect(station.app.imports.importFile(path, [])).rejects.toMatchObject(error);
    expect(station.app.queue.list()).toEqual([]);
  } finally {
    station.close();
  }
}

const exited = (worker: Worker) =>
  new Promise<number>((resolve) => {
    if (worker.threadId === -1) resolve(0);
    else worker.once('exit', resolve);
  });

describe('reading a token file on a worker thread while this thread queues it', () => {
  it('queues a file of many batches in one go: progress rises to 1, duplicates and bad rows are found across batches', async () => {
    const tokens = Array.from({ length: 5000 }, () => makeToken());
    const rows = tokens.map((t) => ({ token: t.token, tags: ['batch=1'] }));
    rows[3999] = { token: 'not-a-token', tags: [] };
    rows[4999] = { token: makeToken({ deviceId: tokens[0]!.deviceId }).token, tags: ['again'] };
    const path = join(dir.path, 'many.csv');
    writeFileSync(path, toBulkCsv(rows));
    const station = openTestApp({ startTokenFileThread: sourceTokenFileThread });
    try {
      const progress: number[] = [];
      const result = await station.app.imports.importFile(path, ['site=north'], (f) => progress.push(f));
      expect(result).toEqual({
        queued: 4998,
        duplicates: 1,
        rejected: [{ row: 4000, reason: expect.stringMatching(/invalid token/) }],
      });
      expect(progress.length).toBeGreaterThan(2);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).toBe(1);
      const queue = station.app.queue.list();
      expect(queue).toHaveLength(4998);
      expect(queue.find((e) => e.deviceId === tokens[0]!.deviceId)?.tags).toEqual([
        'batch=1',
        'site=north',
        'again',
      ]);
      expect(queue.every((e) => e.tags.includes('site=north'))).toBe(true);
    } finally {
      station.close();
    }
  });

  it('lands nothing when the reader fails after its first batch, and says why', async () => {
    await expectImportRefused(
      scriptedThread([
        {
          kind: 'batch',
          claims: packClaims([{ deviceId: 'dev-1', payloadJson: '{"token":"t","tags":[],"imei":null}' }]),
          rejected: [],
          progress: 0.5,
        },
        { kind: 'error', code: 'invalid-argument', message: 'tokens.csv: the USB stick went away' },
      ]),
      join(dir.path, 'tokens.csv'),
      { code: 'invalid-argument', message: 'tokens.csv: the USB stick went away' },
    );
  });

  it('lands nothing when the reader throws where nothing catches it, and says so', async () => {
    const path = join(dir.path, 'tokens.csv');
    writeFileSync(
      path,
      toBulkCsv(Array.from({ length: 3000 }, () => ({ token: makeToken().token, tags: [] }))),
    );
    await expectImportRefused(
      typeScriptThread(join(__dirname, '../support/crashing-token-file-reader.ts')),
      path,
      { code: 'internal', message: 'Reading tokens.csv failed: Error: a bug in the reader' },
    );
  });

  it('says so when the reader cannot start, and queues nothing', async () => {
    await expectImportRefused(
      (workerData, transferList) =>
        new Worker(join(dir.path, 'missing-reader.js'), { workerData, transferList }),
      join(dir.path, 'tokens.csv'),
      {
        code: 'internal',
        message: expect.stringMatching(/^Could not start reading tokens.csv: .*missing-reader/),
      },
    );
  });

  it('gives up on a reader that goes silent, and ends its thread', async () => {
    const started: Worker[] = [];
    const batch = { kind: 'batch', claims: packClaims([]), rejected: [], progress: 0.1 };
    const reading = await readTokenFileOnThread(scriptedThread([batch], started), 'stuck.csv', [], 200);
    const batches = reading[Symbol.iterator]();
    expect(batches.next().value).toEqual(batch);
    expect(() => batches.next()).toThrow(/Reading stuck.csv stopped: no rows for 0.2 s/);
    await exited(started[0]!);
  });
});
