import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { toBulkCsv } from '../../electron/adapters/csv/bulk-csv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiSimulator } from '../support/api-sim';
import { runCli } from '../support/cli';
import { fieldDataFiles, fieldDataPath } from '../support/field-data';
import { describeFieldData } from '../support/field-data-suite';
import type { FieldclaimOptions } from '../../electron/services/fieldclaim';
import type { OutboxEntry } from '../../electron/shared/types';
import { connectedStation, openTestApp } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { sourceTokenFileThread } from '../support/token-file-thread';
import { makeToken } from '../support/tokens';

const corpus = join(__dirname, '../fixtures/csv');
const file = (name: string) => join(corpus, name);
const id = (n: number) => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;

let station: ReturnType<typeof openTestApp>;
/** Each test of the calling describe block gets its own station, opened with these options. */
function withStation(options: Partial<FieldclaimOptions> = {}) {
  beforeEach(() => {
    station = openTestApp(options);
  });
  afterEach(() => station.close());
}

// The desktop app reads a file on its main thread (a preview); the CLI reads it on a worker thread
// while its main thread queues the rows. Both must treat every file alike.
describe.each([
  ['read on this thread', {}],
  ['read on a worker thread', { startTokenFileThread: sourceTokenFileThread }],
])('importing the corpus of awkward files, %s', (_how, options) => {
  withStation(options);

  it.each([
    ['bulk-basic.csv', { queued: 3, duplicates: 0, rejected: [] }],
    ['bom-crlf-blank-lines.csv', { queued: 2, duplicates: 0, rejected: [] }],
    ['header-row.csv', { queued: 2, duplicates: 0, rejected: [], notes: [expect.stringMatching(/header/)] }],
    [
      'extra-columns.csv',
      { queued: 2, duplicates: 0, rejected: [], notes: [expect.stringMatching(/Columns after the second/)] },
    ],
    ['duplicates.csv', { queued: 2, duplicates: 1, rejected: [] }],
    ['utf16le.csv', { queued: 2, duplicates: 0, rejected: [] }],
    [
      'truncated-token.csv',
      { queued: 1, duplicates: 0, rejected: [{ row: 2, reason: expect.stringMatching(/invalid token/) }] },
    ],
    [
      'signature-lost-first-char.csv',
      { queued: 1, duplicates: 0, rejected: [{ row: 1, reason: expect.stringMatching(/signature/) }] },
    ],
    [
      'tag-too-long.csv',
      { queued: 1, duplicates: 0, rejected: [{ row: 1, reason: expect.stringMatching(/101 characters/) }] },
    ],
    [
      'gather-tool.csv',
      {
        queued: 2,
        duplicates: 0,
        rejected: [{ row: 3, reason: expect.stringMatching(/UUID column/) }],
        notes: [expect.stringMatching(/gather tool/)],
      },
    ],
    [
      'not-tokens.csv',
      {
        queued: 0,
        duplicates: 0,
        rejected: [{ row: 2, reason: expect.stringMatching(/invalid token/) }],
        notes: [expect.stringMatching(/header/)],
      },
    ],
  ])('%s', async (name, expected) => {
    expect(await station.app.imports.importFile(file(name), [])).toEqual(expected);
  });

  it('keeps the tags of each row, the IMEI from the gather tool, and adds tags for every row', async () => {
    await station.app.imports.importFile(file('bulk-basic.csv'), ['batch=7']);
    await station.app.imports.importFile(file('gather-tool.csv'), []);
    const byId = new Map(station.app.queue.list().map((e) => [e.deviceId, e]));
    expect(byId.get(id(1))?.tags).toEqual(['batch=7']);
    expect(byId.get(id(2))?.tags).toEqual(['oslo', 'white', 'batch=7']);
    expect(byId.get(id(10))?.imei).toBe('351358815178345');
    expect(byId.get(id(11))?.imei).toBe('351358815178352');
  });

  it('the newest token of a device wins within a file, and the file against the queue counts as duplicates', async () => {
    await station.app.imports.importFile(file('duplicates.csv'), []);
    expect(station.app.queue.list().find((e) => e.deviceId === id(13))?.tags).toEqual(['first', 'second']);
    expect(await station.app.imports.importFile(file('duplicates.csv'), [])).toEqual({
      queued: 0,
      duplicates: 3,
      rejected: [],
    });
    expect(station.app.queue.list()).toHaveLength(2);
  });

  it.each([
    ['empty.csv', /is empty/],
    ['binary.bin', /not a text file/],
    ['does-not-exist.csv', /Cannot read/],
  ])('refuses %s as a whole, changing nothing', async (name, message) => {
    await station.app.imports.importFile(file('bulk-basic.csv'), []);
    await expect(station.app.imports.importFile(file(name), [])).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(message),
    });
    expect(station.app.queue.list()).toHaveLength(3);
  });

  it('notes what it skipped or recognised in the preview, and queues nothing until committed', async () => {
    const preview = await station.app.imports.previewBytes(
      'extra-columns.csv',
      readFileSync(file('extra-columns.csv')),
    );
    expect(preview).toMatchObject({ file: 'extra-columns.csv', rows: 2, new: 2, duplicates: 0, rejected: 0 });
    expect(preview.notes.join(' ')).toMatch(/Columns after the second were ignored/);
    expect(
      (await station.app.imports.previewBytes('h.csv', readFileSync(file('header-row.csv')))).notes.join(' '),
    ).toMatch(/header/);
    expect(
      (await station.app.imports.previewBytes('g.csv', readFileSync(file('gather-tool.csv')))).notes.join(
        ' ',
      ),
    ).toMatch(/gather tool/);
    expect(station.app.queue.list()).toEqual([]);
    const last = await station.app.imports.previewBytes(
      'bulk-basic.csv',
      readFileSync(file('bulk-basic.csv')),
    );
    expect(station.app.imports.commitPreview(last.id, ['site=a'])).toEqual({
      queued: 3,
      duplicates: 0,
      rejected: [],
    });
    expect(station.app.queue.list().every((e) => e.tags.includes('site=a'))).toBe(true);
  });
});

describe('previews of large files', () => {
  withStation();

  it('report progress while the file is checked, and let other work run in between', async () => {
    const rows = Array.from({ length: 6000 }, () => ({ token: makeToken().token, tags: [] }));
    const events: Array<number | 'tick'> = [];
    station.app.on('importProgress', ({ fraction }) => events.push(fraction));
    let ticking = true;
    const tick = () => {
      if (!ticking) return;
      events.push('tick');
      setImmediate(tick);
    };
    setImmediate(tick);
    const preview = await station.app.imports.previewBytes('big.csv', Buffer.from(toBulkCsv(rows)));
    ticking = false;
    expect(preview).toMatchObject({ rows: 6000, new: 6000, rejected: 0 });
    const fractions = events.filter((e): e is number => e !== 'tick');
    expect(fractions.length).toBeGreaterThan(3);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    const between = events.slice(events.indexOf(fractions[0]!), events.lastIndexOf(1));
    expect(between.filter((e) => e === 'tick').length).toBeGreaterThan(2);
  });

  it('commit a previewed file of several batches whole: a repeat across batches merges, a bad row is listed', async () => {
    const tokens = Array.from({ length: 4500 }, () => makeToken());
    const rows = tokens.map((t) => ({ token: t.token, tags: ['first'] }));
    rows[10] = { token: 'not-a-token', tags: [] };
    rows[4400] = { token: makeToken({ deviceId: tokens[0]!.deviceId }).token, tags: ['later'] };
    const preview = await station.app.imports.previewBytes('three.csv', Buffer.from(toBulkCsv(rows)));
    expect(preview).toMatchObject({ rows: 4500, new: 4498, duplicates: 1, rejected: 1 });
    expect(station.app.imports.commitPreview(preview.id, ['site=b'])).toEqual({
      queued: 4498,
      duplicates: 1,
      rejected: [{ row: 11, reason: expect.stringMatching(/invalid token/) }],
    });
    const queue = station.app.queue.list();
    expect(queue).toHaveLength(4498);
    expect(new Set(queue.map((e) => e.deviceId)).size).toBe(4498);
    expect(queue.find((e) => e.deviceId === tokens[0]!.deviceId)?.tags).toEqual(['first', 'site=b', 'later']);
    expect(queue.every((e) => e.tags.includes('site=b'))).toBe(true);
  });
});

describe('exports', () => {
  withStation();

  it('round trip: the exported queue imports into another station as the same claims', async () => {
    await station.app.imports.importFile(file('bulk-basic.csv'), []);
    await station.app.imports.importFile(file('utf16le.csv'), []);
    const exported = station.app.imports.exportQueue();
    expect(exported.rows).toBe(5);
    const other = openTestApp();
    const dir = tempDir();
    try {
      const path = join(dir.path, 'queue.csv');
      writeFileSync(path, exported.csv);
      expect(await other.app.imports.importFile(path, [])).toEqual({
        queued: 5,
        duplicates: 0,
        rejected: [],
      });
      const tagsOf = (s: typeof station) =>
        Object.fromEntries(s.app.queue.list().map((e) => [e.deviceId, e.tags]));
      expect(tagsOf(other)).toEqual(tagsOf(station));
    } finally {
      other.close();
      dir.remove();
    }
  });

  it('the exported queue is valid input for the service bulk endpoint', async () => {
    const sim = await new ApiSimulator().start();
    sim.addKey('k');
    try {
      // Tags the file uses must exist in the service first, as the sync engine ensures.
      await station.app.imports.importFile(file('bulk-basic.csv'), []);
      for (const tag of ['oslo', 'white', 'location=Bergen']) {
        await fetch(`${sim.baseUrl}claimed-devices/tags`, {
          method: 'POST',
          headers: { Authorization: 'Bearer k' },
          body: JSON.stringify({ tag }),
        });
      }
      const response = await fetch(`${sim.baseUrl}claimed-devices`, {
        method: 'POST',
        headers: { Authorization: 'Bearer k', 'Content-Type': 'text/csv' },
        body: station.app.imports.exportQueue().csv,
      });
      const body = (await response.json()) as {
        items: Array<{ id: string; tags: string[] }>;
        failed: unknown[];
      };
      expect(body.failed).toEqual([]);
      expect(body.items.map((d) => [d.id, d.tags])).toEqual([
        [id(1), []],
        [id(2), ['oslo', 'white']],
        [id(3), ['location=Bergen']],
      ]);
    } finally {
      await sim.stop();
    }
  });

  it('site report: one row per device with where and when it was read, and no cell a spreadsheet would run', async () => {
    const sim = await new ApiSimulator().start();
    sim.addKey('k');
    const app = connectedStation(sim, 'k');
    try {
      app.app.settings.update({ siteTags: ['=HYPERLINK("http://evil")', 'location=Oslo'] });
      await app.app.imports.importFile(file('bulk-basic.csv'), ['+cmd']);
      await app.app.sync.run();
      const report = Papa.parse<Record<string, string>>(app.app.status.siteReport().csv, {
        header: true,
        skipEmptyLines: true,
      });
      expect(report.meta.fields).toEqual([
        'device UUID',
        'IMEI',
        'device type',
        'model',
        'firmware',
        'tags',
        'claim state',
        'claimed at',
        'read at',
        'port',
        'site',
      ]);
      expect(report.data).toHaveLength(3);
      expect(report.data[0]).toMatchObject({
        'device UUID': id(1),
        'device type': 'nrf9151_LACA',
        'claim state': 'claimed',
      });
      for (const row of report.data)
        for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@]/);
      expect(report.data[1]!.tags).toContain('oslo');
    } finally {
      app.close();
      await sim.stop();
    }
  });
});

describe('CLI import and export', () => {
  it('exits 2 with row-numbered reasons for bad rows, and 2 naming the file for a file it cannot read', async () => {
    const dir = tempDir();
    try {
      const bad = await runCli(['--data-dir', dir.path, 'import', file('truncated-token.csv'), '--json']);
      expect(bad.code).toBe(2);
      expect(bad.json).toEqual({
        queued: 1,
        duplicates: 0,
        rejected: [{ row: 2, reason: expect.stringMatching(/invalid token/) }],
      });
      const text = await runCli(['--data-dir', dir.path, 'import', file('truncated-token.csv')]);
      expect(text.stdout).toMatch(/truncated-token\.csv, row 2: invalid token/);
      const binary = await runCli(['--data-dir', dir.path, 'import', file('binary.bin'), '--json']);
      expect(binary.code).toBe(2);
      expect(binary.json).toMatchObject({ error: { message: expect.stringContaining('binary.bin') } });
      const out = join(dir.path, 'out.csv');
      const exported = await runCli(['--data-dir', dir.path, 'export', out, '--json']);
      expect(exported.json).toEqual({ rows: 1, file: out });
      expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
      const report = await runCli([
        '--data-dir',
        dir.path,
        'export',
        join(dir.path, 'r.csv'),
        '--what',
        'devices',
        '--json',
      ]);
      expect(report.json).toMatchObject({ rows: 1 });
    } finally {
      dir.remove();
    }
  });
});

/** The rows of a CSV file as Python's csv.reader (Nordic's tools) sees them. */
const csvRows = (text: string, delimiter = ',') =>
  Papa.parse<string[]>(text, { delimiter, skipEmptyLines: true }).data;

describeFieldData("files Nordic's tools wrote (csv/)", () => {
  const gatherFile = fieldDataPath('csv', 'gather-attestation-tokens.csv');
  const gatherRows = csvRows(readFileSync(gatherFile, 'utf8'));
  const tagsOfAll = (tags: string[]) => (queue: OutboxEntry[]) => {
    for (const entry of queue) expect(entry.tags).toEqual(tags);
  };

  /** The README's expectation for each file. */
  const expected: Record<
    string,
    { queued: number; rejected: number; exitCode: number; check?: (queue: OutboxEntry[]) => void }
  > = {
    'gather-attestation-tokens.csv': {
      queued: 2,
      rejected: 0,
      exitCode: 0,
      check: (queue) => {
        const imeiOf = new Map(queue.map((e) => [e.deviceId, e.imei]));
        for (const [imei, uuid] of gatherRows) expect(imeiOf.get(uuid!)).toBe(imei);
      },
    },
    'claim-devices-body-tag-onboarding.csv': {
      queued: 2,
      rejected: 0,
      exitCode: 0,
      check: tagsOfAll(['nrf-cloud-onboarding']),
    },
    'claim-devices-body-two-tags.csv': {
      queued: 2,
      rejected: 0,
      exitCode: 0,
      check: tagsOfAll(['site-a', 'batch-7']),
    },
    'claim-devices-body-no-tags.csv': { queued: 2, rejected: 0, exitCode: 0, check: tagsOfAll([]) },
    'onboard-device-credentials-installer.csv': { queued: 0, rejected: 1, exitCode: 2 },
  };

  it('has an expectation for every file', () => {
    expect(fieldDataFiles('csv', '.csv')).toEqual(Object.keys(expected).sort());
  });

  describe.each([
    ['read on this thread', {}],
    ['read on a worker thread', { startTokenFileThread: sourceTokenFileThread }],
  ])('imported, %s', (_how, options) => {
    withStation(options);

    it.each(Object.entries(expected))('%s', async (name, want) => {
      const result = await station.app.imports.importFile(fieldDataPath('csv', name), []);
      expect(result).toMatchObject({ queued: want.queued, duplicates: 0 });
      expect(result.rejected).toHaveLength(want.rejected);
      for (const r of result.rejected) expect(r.reason).toMatch(/^invalid token/);
      expect(station.app.queue.list()).toHaveLength(want.queued);
      want.check?.(station.app.queue.list());
    });
  });

  it.each(Object.entries(expected))('%s: the CLI exits as expected', async (name, want) => {
    const dir = tempDir();
    try {
      const run = await runCli(['--data-dir', dir.path, 'import', fieldDataPath('csv', name), '--json']);
      expect(run.code).toBe(want.exitCode);
      expect(run.json).toMatchObject({ queued: want.queued });
      expect((run.json as { rejected: unknown[] }).rejected).toHaveLength(want.rejected);
    } finally {
      dir.remove();
    }
  });

  describe('a gather file opened and saved in a spreadsheet', () => {
    withStation();

    // What Excel writes back: a header the user added, every IMEI shown as a number, quoted cells;
    // in a European locale with ";" between cells and "," in numbers.
    const saved = (delimiter: string, decimal: string) => {
      const rows = [
        ['IMEI', 'UUID', 'Attestation token', 'Timestamp'],
        ...gatherRows.map(([imei, ...rest]) => [
          Number(imei).toExponential(5).toUpperCase().replace('.', decimal),
          ...rest,
        ]),
      ];
      return rows.map((row) => row.map((cell) => `"${cell}"`).join(delimiter)).join('\r\n');
    };

    it.each([
      ['with commas', ',', '.'],
      ['with semicolons', ';', ','],
    ])('%s: every row is queued, its mangled IMEI dropped with a note', async (_how, delimiter, decimal) => {
      const dir = tempDir();
      try {
        const path = join(dir.path, 'gathered.csv');
        writeFileSync(path, saved(delimiter, decimal));
        const result = await station.app.imports.importFile(path, []);
        expect(result).toMatchObject({ queued: gatherRows.length, duplicates: 0, rejected: [] });
        expect(result.notes?.join(' ')).toMatch(/header/);
        expect(result.notes?.join(' ')).toMatch(
          new RegExp(`${gatherRows.length} rows .*spreadsheet turned into a number`),
        );
        expect(station.app.queue.list().map((e) => [e.deviceId, e.imei])).toEqual(
          gatherRows.map(([, uuid]) => [uuid, null]),
        );
      } finally {
        dir.remove();
      }
    });
  });

  describe('exported in the gather format', () => {
    withStation();

    it("is the gather tool's file again, as Nordic's claim_devices reads it", async () => {
      await station.app.imports.importFile(gatherFile, []);
      const exported = station.app.imports.exportQueueGather();
      expect(exported).toMatchObject({ rows: gatherRows.length, notes: [] });
      const rows = csvRows(exported.csv);
      // claim_devices: `imei, uuid, attest_tok, date_time = row[:4]` for every row.
      for (const row of rows) expect(row).toHaveLength(4);
      expect(rows.map((row) => row.slice(0, 3))).toEqual(gatherRows.map((row) => row.slice(0, 3)));
      for (const [, , , timestamp] of rows)
        expect(timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
      expect(exported.csv.endsWith('\n')).toBe(true);
      expect(exported.csv).not.toContain('\r');
    });

    it('imports into another station as the same claims, IMEIs kept; tags, which it cannot hold, are noted', async () => {
      await station.app.imports.importFile(gatherFile, ['site=a']);
      const exported = station.app.imports.exportQueueGather();
      expect(exported.notes.join(' ')).toMatch(/2 claim\(s\) had tags.*--provisioning-tags/);
      const other = openTestApp();
      const dir = tempDir();
      try {
        const path = join(dir.path, 'gathered.csv');
        writeFileSync(path, exported.csv);
        expect(await other.app.imports.importFile(path, [])).toMatchObject({ queued: 2, rejected: [] });
        const claims = (s: typeof station) => s.app.queue.list().map((e) => [e.deviceId, e.imei]);
        expect(claims(other)).toEqual(claims(station));
      } finally {
        other.close();
        dir.remove();
      }
    });

    it('leaves the IMEI cell empty for a claim read without one', async () => {
      const { token, deviceId } = makeToken();
      const dir = tempDir();
      try {
        const path = join(dir.path, 'bulk.csv');
        writeFileSync(path, `${token}\n`);
        await station.app.imports.importFile(path, []);
        expect(csvRows(station.app.imports.exportQueueGather().csv)).toEqual([
          ['', deviceId, token, expect.any(String)],
        ]);
      } finally {
        dir.remove();
      }
    });
  });
});
