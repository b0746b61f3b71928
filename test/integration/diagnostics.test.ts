import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { platform, release } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagnosticsLog } from '../../electron/adapters/log/diagnostics-log';
import { createDispatcher } from '../../electron/services/dispatch';
import { ApiSimulator } from '../support/api-sim';
import { runCli } from '../support/cli';
import { connectedStation, openTestApp } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('the diagnostics log', () => {
  it('rotates by size, keeps a few files, and reads back across them in order', () => {
    const logDir = join(dir.path, 'logs');
    const log = new DiagnosticsLog(logDir, { maxBytes: 2000, files: 3 });
    for (let i = 1; i <= 200; i++) log.info('test', `line ${i}`);
    const files = readdirSync(logDir).sort();
    expect(files).toEqual(['fieldclaim.log', 'fieldclaim.log.1', 'fieldclaim.log.2']);
    for (const file of files) expect(statSync(join(logDir, file)).size).toBeLessThan(2200);
    const numbers = log.recent(1000).map((e) => Number(e.message.replace('line ', '')));
    expect(numbers.at(-1)).toBe(200);
    expect(numbers.length).toBeLessThan(200); // the oldest were rotated away
    expect(numbers).toEqual(numbers.map((_n, i) => numbers[0]! + i)); // no gap, no disorder
    expect(log.recent(5).map((e) => e.message)).toEqual([
      'line 196',
      'line 197',
      'line 198',
      'line 199',
      'line 200',
    ]);
    expect(statSync(logDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(logDir, 'fieldclaim.log')).mode & 0o777).toBe(0o600);
  });

  it('never writes a key it has seen, or a whole token', () => {
    const logDir = join(dir.path, 'logs');
    const log = new DiagnosticsLog(logDir);
    const { token } = makeToken();
    log.addSecret('NEEDLE-KEY-55aa');
    log.error('sync', `refused NEEDLE-KEY-55aa for ${token}`);
    const written = readFileSync(join(logDir, 'fieldclaim.log'), 'utf8');
    expect(written).not.toContain('NEEDLE-KEY-55aa');
    expect(written).not.toContain(token);
    expect(log.recent(1)[0]?.message).toBe(`refused [redacted] for ${token.slice(0, 12)}…[token cut]`);
  });

  it('skips a line a crash left half-written, and keeps the lines after it', () => {
    new DiagnosticsLog(join(dir.path, 'logs')).error('a', 'first');
    const file = join(dir.path, 'logs', 'fieldclaim.log');
    appendFileSync(file, '{"at":"2026-');
    const log = new DiagnosticsLog(join(dir.path, 'logs')); // the next run of the app
    log.error('b', 'second');
    expect(log.recent(10).map((e) => e.message)).toEqual(['first', 'second']);
  });
});

describe('the diagnostics report', () => {
  it('has the version, the system, the queue and the last errors the technician met', async () => {
    const sim = await new ApiSimulator().start();
    const station = connectedStation(sim, 'a-key-the-service-does-not-know');
    try {
      const dispatch = createDispatcher(station.app);
      expect(await dispatch('readPort', { port: '/dev/ttyACM97' })).toMatchObject({ ok: false });
      await dispatch('previewImport', { name: 'x.csv', base64: '' });
      const preview = await station.app.imports.previewBytes('x.csv', Buffer.from('abc.def\n'));
      station.app.imports.commitPreview(preview.id, []);
      await station.app.sync.run();
      const { filename, text } = await station.app.status.diagnostics();
      expect(filename).toMatch(/^fieldclaim-diagnostics-\d{4}-\d{2}-\d{2}\.txt$/);
      expect(text).toMatch(/^Fieldclaim diagnostics\n/);
      expect(text).toContain('Version: development (commit unknown)');
      expect(text).toContain(`Runs on: ${platform()} ${release()}`);
      expect(text).toContain(`Node ${process.versions.node}`);
      expect(text).toMatch(/API key: stored \(keychain\); the key itself is never in this file/);
      expect(text).toMatch(/Outbox: 0 pending, 0 sending, 0 done, 0 failed/);
      const errors = text.slice(text.indexOf('Last errors'), text.indexOf('Recent log'));
      expect(errors).toMatch(/Last errors \(3, newest last\)/);
      expect(errors).toMatch(/ERROR {2}readPort: .*\/dev\/ttyACM97/);
      expect(errors).toMatch(/ERROR {2}previewImport: invalid-argument: x.csv is empty/);
      expect(text).toMatch(
        /WARN {3}import: a previewed file: 0 queued, 0 duplicate, 1 rejected \(first: row 1, invalid token/,
      );
      // Nothing to send, but the local copy's refresh met the refusal.
      expect(errors).toMatch(/ERROR {2}sync: stopped \(key-rejected\): The API key was refused/);
      expect(text).not.toContain('a-key-the-service-does-not-know');
    } finally {
      station.close();
      await sim.stop();
    }
  });

  it('says once, not every half minute, that a sync keeps stopping for the same reason', async () => {
    const station = openTestApp();
    try {
      const preview = await station.app.imports.previewBytes('t.csv', Buffer.from(`${makeToken().token}\n`));
      station.app.imports.commitPreview(preview.id, []);
      for (let i = 0; i < 3; i++) await station.app.sync.run();
      const stops = station.app.log.recent(100).filter((e) => e.area === 'sync');
      expect(stops).toEqual([
        expect.objectContaining({
          level: 'error',
          message: expect.stringMatching(/^stopped \(no-key\): No API key/),
        }),
      ]);
    } finally {
      station.close();
    }
  });

  it('has why a sync stopped and the CLI’s own errors, and the CLI saves it', async () => {
    const sim = await new ApiSimulator().start();
    try {
      const data = ['--data-dir', dir.path];
      expect((await runCli([...data, 'scan', '--port', '/dev/ttyACM97'])).code).not.toBe(0);
      const tokens = join(dir.path, 'tokens.csv');
      writeFileSync(tokens, `${makeToken().token}\n`);
      expect((await runCli([...data, 'import', tokens])).code).toBe(0);
      const sync = await runCli([...data, 'sync', '--api-url', sim.baseUrl], {
        env: { FIELDCLAIM_API_KEY: 'refused-by-the-service' },
      });
      expect(sync.code).toBe(3);
      const file = join(dir.path, 'report.txt');
      const saved = await runCli([...data, 'diagnostics', file, '--json']);
      expect(saved.code).toBe(0);
      expect(saved.json).toEqual({ file, bytes: expect.any(Number) });
      const report = readFileSync(file, 'utf8');
      expect(report).toMatch(/Version: \d+\.\d+\.\d+ \(commit \w+\)/);
      expect(report).toMatch(/ERROR {2}cli: .*\/dev\/ttyACM97/);
      expect(report).toMatch(/ERROR {2}sync: stopped \(key-rejected\): .*; 0 of \d+ sent succeeded/);
      expect(report).toMatch(/INFO {3}import: tokens.csv: 1 queued, 0 duplicate, 0 rejected/);
      expect(report).not.toContain('refused-by-the-service');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await sim.stop();
    }
  });
});
