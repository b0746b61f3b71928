import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReadMode } from '../../electron/shared/types';
import { runCli } from '../support/cli';
import {
  fieldDataFiles,
  fieldDataPath,
  readFieldJson,
  type FieldToken,
  type SerialProfile,
} from '../support/field-data';
import { describeFieldData } from '../support/field-data-suite';
import { ProfileDevice, type ProfileDeviceOptions } from '../support/profile-device';
import { openPtyPair, type PtyPair } from '../support/pty-pair';
import { openTestApp } from '../support/station';
import { tempDir } from '../support/temp-dir';

let station: ReturnType<typeof openTestApp>;
let plugged: Array<{ pty: PtyPair; device: ProfileDevice }> = [];

beforeEach(() => {
  station = openTestApp();
});
afterEach(async () => {
  for (const { pty, device } of plugged) {
    await device.close();
    await pty.close();
  }
  plugged = [];
  station.close();
});

async function plugIn(profile: SerialProfile | 'silent', options: ProfileDeviceOptions = {}) {
  const pty = await openPtyPair();
  const device = await ProfileDevice.start(pty.devicePath, profile, options);
  plugged.push({ pty, device });
  return { port: pty.appPath, device };
}

/** The README's words for a failure, as the error code and what the message must say. */
function expectedFailure(error: string): { code: string; message: RegExp } {
  const code = /^[a-z-]+/.exec(error)?.[0] ?? error;
  const message = /modem firmware update/.test(error)
    ? /update the modem firmware/
    : code === 'invalid-token'
      ? /not an attestation token/
      : /./;
  return { code, message };
}

/** The README's exit codes for what a scan ends in. */
const exitCodeFor = (code: string | null) => (code === null ? 0 : code === 'invalid-token' ? 2 : 1);

/** The ScanResult fields a profile's `expect` names (and only those). */
function expectedResult(expected: SerialProfile['expect']) {
  const fields = ['dialect', 'imei', 'model', 'firmware', 'deviceId', 'deviceType'] as const;
  return Object.fromEntries(fields.filter((f) => f in expected).map((f) => [f, expected[f]]));
}

describeFieldData("boards as Nordic's tools and docs show them (serial/profiles, over pty pairs)", () => {
  const profiles = fieldDataFiles('serial/profiles', '.json').map(
    (name) => [name.replace(/\.json$/, ''), readFieldJson<SerialProfile>('serial/profiles', name)] as const,
  );

  it('has profiles to read', () => {
    expect(profiles.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(profiles)('%s', (_name, profile) => {
    const { expect: expected } = profile;
    const failure = expected.error ? expectedFailure(expected.error) : null;

    it.each(['auto', profile.kind] as ReadMode[])(
      'in %s mode: settles as the profile expects',
      async (mode) => {
        const { port } = await plugIn(profile);
        const read = station.app.station.read({ port, tags: [], mode, timeoutMs: 3000 });
        if (failure) {
          await expect(read).rejects.toMatchObject({
            code: failure.code,
            message: expect.stringMatching(failure.message),
          });
          expect(station.app.queue.list()).toEqual([]);
          return;
        }
        const result = await read;
        expect(result).toMatchObject({ ...expectedResult(expected), queued: true });
        if (expected.warning) expect(result.warnings.join(' ')).toContain(expected.warning.split(' ')[0]);
        expect(station.app.queue.list()).toEqual([
          expect.objectContaining({ deviceId: expected.deviceId, imei: expected.imei ?? null }),
        ]);
      },
    );

    it('from the CLI: exits and prints as the profile expects', async () => {
      const { port } = await plugIn(profile);
      const data = tempDir();
      try {
        const run = await runCli([
          '--data-dir',
          data.path,
          'scan',
          '--port',
          port,
          '--timeout-ms',
          '3000',
          '--json',
        ]);
        expect(run.code).toBe(exitCodeFor(failure?.code ?? null));
        if (failure)
          expect(run.json).toMatchObject({
            error: { code: failure.code, message: expect.stringMatching(failure.message) },
          });
        else expect(run.json).toMatchObject({ ...expectedResult(expected), queued: true, duplicate: false });
      } finally {
        data.remove();
      }
    });
  });

  it('auto mode waits out a board that ignores its first commands (reset as its port opened)', async () => {
    for (const name of ['at-host-nrfcloud-utils', 'shell-att-docs']) {
      const profile = readFieldJson<SerialProfile>('serial/profiles', `${name}.json`);
      const { port, device } = await plugIn(profile, { deafForMs: 800 });
      const result = await station.app.station.read({ port, tags: [], mode: 'auto', timeoutMs: 3000 });
      expect(result).toMatchObject({ dialect: profile.expect.dialect, deviceId: profile.expect.deviceId });
      expect(device.received.length).toBeGreaterThan(device.answered);
    }
  });
});

describeFieldData('tokens boards print at boot (serial/boot, over pty pairs)', () => {
  const tokens = readFieldJson<FieldToken[]>('tokens', 'tokens.json');
  const logs = fieldDataFiles('serial/boot', '.log').map((name) => {
    const bytes = readFileSync(fieldDataPath('serial/boot', name));
    // The README: each log holds one token of tokens.json, found in it whole (the makerdiary log none).
    const holds = tokens.find((t) => t.valid && bytes.toString('latin1').includes(t.token)) ?? null;
    return [name, bytes, holds] as const;
  });

  it('has logs, most of them with a token', () => {
    expect(logs.filter(([, , holds]) => holds).length).toBeGreaterThanOrEqual(5);
  });

  describe.each(logs)('%s', (_name, bytes, holds) => {
    it.each(['passive', 'auto'] as ReadMode[])(
      holds
        ? 'in %s mode: the token it prints is read and queued'
        : 'in %s mode: no token, says to reset the board',
      async (mode) => {
        const { port, device } = await plugIn('silent');
        // Printed once the port is open, as a board reset while Fieldclaim listens prints it.
        const read = station.app.station.read({
          port,
          tags: [],
          mode,
          timeoutMs: holds ? 3000 : 600,
          onStage: (stage) => void (stage === 'reading' && device.print(bytes)),
        });
        if (!holds) {
          await expect(read).rejects.toMatchObject({
            code: 'device-no-answer',
            message: expect.stringMatching(/reset button/),
          });
          return;
        }
        expect(await read).toMatchObject({ dialect: 'passive', deviceId: holds.deviceId, imei: null });
        expect(station.app.queue.list()).toEqual([expect.objectContaining({ deviceId: holds.deviceId })]);
      },
    );
  });
});
