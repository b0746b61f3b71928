import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { tempDir } from '../support/temp-dir';
import { makeToken } from '../support/tokens';

let dir: ReturnType<typeof tempDir>;
const cli = (...args: string[]) => runCli(['--data-dir', join(dir.path, 'data'), ...args, '--json']);

beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

describe("the CLI's options for Nordic's tools and boards", () => {
  it("exports waiting claims in the gather format that Nordic's claim_devices reads, and imports it back", async () => {
    const tokens = [makeToken(), makeToken()];
    queueClaims(join(dir.path, 'data'), tokens, { imei: '355025930000000', tags: ['site-a'] });
    const file = join(dir.path, 'gather.csv');
    const exported = await cli('export', file, '--format', 'gather');
    expect(exported.code).toBe(0);
    expect(exported.json).toEqual({
      rows: 2,
      file,
      notes: [expect.stringMatching(/no tags.*--provisioning-tags/)],
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const rows = Papa.parse<string[]>(readFileSync(file, 'utf8').trim()).data;
    expect(rows).toEqual(
      tokens.map((t) => ['355025930000000', t.deviceId, t.token, expect.stringMatching(/^\d{4}-/)]),
    );
    // Into another station's data folder: the gather format is recognised, each IMEI kept.
    const other = await runCli(['--data-dir', join(dir.path, 'other'), 'import', file, '--json']);
    expect(other.json).toMatchObject({ queued: 2, rejected: [] });
  });

  it('refuses the gather format for the site report, saying how to ask for it', async () => {
    const run = await cli('export', join(dir.path, 'x.csv'), '--what', 'devices', '--format', 'gather');
    expect(run.code).toBe(2);
    expect(run.json).toEqual({
      error: { code: 'invalid-argument', message: expect.stringMatching(/--what queue/) },
    });
  });

  it('scan --serial-number names the boards that are plugged in when none has that number', async () => {
    const run = await cli('scan', '--serial-number', '1051299999');
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({
      error: { code: 'not-found', message: expect.stringContaining('1051299999') },
    });
  });
});

describe('a key with a line break in it', () => {
  it('is refused from the environment and from stdin before anything is sent or stored', async () => {
    const env = await runCli(['--data-dir', join(dir.path, 'data'), 'sync', '--json'], {
      env: { FIELDCLAIM_API_KEY: 'sk-first-half\nAuthorization: Bearer x' },
    });
    expect(env.code).toBe(2);
    expect(env.json).toEqual({
      error: {
        code: 'invalid-argument',
        message: expect.stringMatching(/^FIELDCLAIM_API_KEY: .*line breaks/),
      },
    });
    const set = await runCli(['--data-dir', join(dir.path, 'data'), 'key', 'set', '--json'], {
      stdin: 'sk-first-half second-half\n',
    });
    expect(set.code).toBe(2);
    expect(set.stdout + set.stderr).not.toContain('second-half');
  });
});
