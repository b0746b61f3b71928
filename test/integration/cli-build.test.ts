import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../support/cli';

describe('the CLI after a build', () => {
  it('stays executable, so `npx fieldclaim` runs the rebuilt file', () => {
    // The test command builds before the tests run: this is a rebuilt out/main/cli.js.
    expect(statSync(cliPath).mode & 0o111).toBe(0o111);
    const run = spawnSync('npx', ['--no-install', 'fieldclaim', '--version'], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/Permission denied/);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
