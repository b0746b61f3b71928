import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { databaseFileName, openDatabase } from '../../electron/adapters/db/database';
import { Lease } from '../../electron/adapters/db/lease-repo';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import { ApiSimulator, isBulkClaim } from '../support/api-sim';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { openTestApp } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { makeToken, type MadeToken } from '../support/tokens';
import { waitFor } from '../support/wait';

const KEY = 'two-writers-key';
let sim: ApiSimulator;
let dir: ReturnType<typeof tempDir>;
const cli = (...args: string[]) =>
  runCli(['--data-dir', dir.path, '--api-url', sim.baseUrl, ...args, '--json'], {
    env: { FIELDCLAIM_API_KEY: KEY },
  });

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  // A real network's jitter: the two processes' requests interleave differently every run.
  sim.latencyMs = 5;
  sim.latencyJitterMs = 40;
  dir = tempDir();
});
afterEach(async () => {
  await sim.stop();
  dir.remove();
});

function tokenFile(tokens: MadeToken[]): string {
  const file = join(dir.path, 'tokens.csv');
  writeFileSync(file, `${toBulkCsv(tokens.map((t) => ({ token: t.token, tags: [] })))}\n`);
  return file;
}

describe('two processes on one data folder (the desktop app and a CLI)', () => {
  it('two syncs at once: one syncs, the other says so; every change applies exactly as often as queued', async () => {
    const blocked = Array.from({ length: 12 }, () => makeToken());
    const tagged = Array.from({ length: 12 }, () => makeToken());
    for (const t of [...blocked, ...tagged]) sim.preclaim(t.token, 'team-1');
    const station = openTestApp({ dataDir: dir.path });
    station.app.changes.createTag('rack-1');
    station.app.changes.createTag('rack-2');
    for (const t of blocked) {
      station.app.changes.device('block', t.deviceId);
      station.app.changes.device('unblock', t.deviceId);
    }
    for (const t of tagged) {
      station.app.changes.setTags(t.deviceId, ['rack-1']);
      station.app.changes.setTags(t.deviceId, ['rack-2']);
    }
    station.close();

    const [first, second] = await Promise.all([cli('sync'), cli('sync')]);
    const busy = [first, second].filter(
      (r) => (r.json as { stopped?: { reason: string } }).stopped?.reason === 'sync-busy',
    );
    expect(busy.length).toBeLessThanOrEqual(1);
    for (const run of busy)
      expect(run.json).toMatchObject({
        stopped: {
          message: expect.stringMatching(/A sync is already running \(the command line, pid \d+\)/),
        },
      });
    expect((await cli('sync')).json).toMatchObject({ pending: 0 });
    for (const t of blocked) {
      expect(sim.effectCount('block', t.deviceId)).toBe(1);
      expect(sim.effectCount('unblock', t.deviceId)).toBe(1);
    }
    for (const t of tagged) {
      expect(sim.effectCount('set-tags', t.deviceId)).toBe(2);
      expect(sim.devices.get(t.deviceId)?.tags).toEqual(['rack-2']);
    }
  });

  it('a sync while another process holds the sync lease says who, and sends nothing', async () => {
    const t = makeToken();
    sim.preclaim(t.token, 'team-1');
    const station = openTestApp({ dataDir: dir.path });
    station.app.changes.device('block', t.deviceId);
    station.close();
    const db = openDatabase(dir.path);
    const held = new Lease(db, 'sync', 'the desktop app', 60_000);
    try {
      expect(held.acquire()).toEqual({ ok: true });
      const before = sim.requests.length;
      const run = await cli('sync');
      expect(run.json).toMatchObject({
        stopped: {
          reason: 'sync-busy',
          message: expect.stringContaining(`A sync is already running (the desktop app, pid ${process.pid})`),
        },
      });
      expect(sim.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(sim.effectCount('block', t.deviceId)).toBe(0);
    } finally {
      held.release();
      db.close();
    }
  });

  it('an import while another process syncs waits its turn and lands whole; nothing is sent twice', async () => {
    const queued = Array.from({ length: 300 }, () => makeToken());
    queueClaims(dir.path, queued);
    const imported = Array.from({ length: 600 }, () => makeToken());
    const file = tokenFile(imported);
    // The sync's fourth bulk request is answered only once the import has landed: the two overlap
    // however fast or slow this machine is.
    let landed = () => {};
    const importLanded = new Promise<void>((resolve) => (landed = resolve));
    let bulks = 0;
    sim.faults.push({ kind: 'hold', until: importLanded, when: (r) => isBulkClaim(r) && ++bulks === 4 });
    const sync = cli('sync', '--batch-size', '10');
    await waitFor(() => bulks >= 4, 'the sync to be in the middle of sending its claims');
    const importRun = await cli('import', file);
    landed();
    expect(importRun.code).toBe(0);
    expect(importRun.json).toEqual({ queued: 600, duplicates: 0, rejected: [] });
    expect((await sync).code).toBe(0);
    expect((await cli('sync')).json).toMatchObject({ pending: 0, failed: 0 });
    for (const t of [...queued, ...imported]) expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    expect([...sim.effects.keys()].filter((k) => k.startsWith('repeated-claim'))).toEqual([]);
  });

  it('a long import holds no lock while it reads: another process writes meanwhile, then the file lands whole', () => {
    const db = openDatabase(dir.path);
    const other = new Database(join(dir.path, databaseFileName));
    // The other process does not wait at all: a lock held by the import would fail it at once.
    other.pragma('busy_timeout = 0');
    const writeMeanwhile = () =>
      other
        .prepare(
          `INSERT INTO settings (name, value) VALUES ('meanwhile', '1') ON CONFLICT (name) DO UPDATE SET value = value + 1`,
        )
        .run();
    try {
      const tokens = Array.from({ length: 4_000 }, () => makeToken());
      const batches = function* () {
        for (let i = 0; i < tokens.length; i += 500) {
          yield tokens.slice(i, i + 500).map((t) => ({
            deviceId: t.deviceId,
            payloadJson: JSON.stringify({ token: t.token, tags: [], imei: null }),
          }));
          writeMeanwhile();
        }
      };
      const counts = new OutboxRepository(db).enqueueClaimBatches(batches());
      expect(counts.queued).toBe(4_000);
      expect(Number(other.prepare(`SELECT value FROM settings WHERE name = 'meanwhile'`).pluck().get())).toBe(
        8,
      );
      expect(other.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(4_000);
    } finally {
      other.close();
      db.close();
    }
  });

  it('a write that cannot get the lock in time names the process holding it', async () => {
    const db = openDatabase(dir.path);
    const holder = new Lease(db, 'import:test', 'the desktop app', 60_000);
    holder.acquire();
    db.exec('BEGIN IMMEDIATE');
    try {
      const t = makeToken();
      const run = await cli('import', tokenFile([t]));
      expect(run.code).toBe(1);
      expect(run.json).toEqual({
        error: {
          code: 'database-busy',
          message: expect.stringMatching(
            new RegExp(`is busy: the desktop app \\(pid ${process.pid}, importing a file\\).*Try again`),
          ),
        },
      });
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
  });
});
