import { describe, expect, it } from 'vitest';
import { BootTokenScanner } from '../../electron/core/boot-token';
import { makeToken } from '../support/tokens';

function scan(lines: string[]) {
  const scanner = new BootTokenScanner();
  for (const line of lines) {
    const found = scanner.feed(line);
    if (found) return found;
  }
  return null;
}

describe('catching the token a device prints at boot', () => {
  const { token, deviceId } = makeToken();

  it('SDK provisioning library: header, token on the next line', () => {
    const found = scan([
      '*** Booting nRF Connect SDK ***',
      'Attestation token for claiming device on nRFCloud:',
      token,
      '',
    ]);
    expect(found?.deviceId).toBe(deviceId);
  });

  it('Asset Tracker Template: between markers, split over log lines with prefixes and colours', () => {
    const third = Math.ceil(token.length / 3);
    const found = scan([
      '[00:00:00.512,000] <inf> main: ----- BEGIN ATTESTATION TOKEN -----',
      `[00:00:00.513,000] <inf> main: ${token.slice(0, third)}`,
      `\x1b[0m[00:00:00.514,000] <inf> main: ${token.slice(third, 2 * third)}\x1b[0m`,
      `[00:00:00.515,000] <inf> main: ${token.slice(2 * third)}`,
      '[00:00:00.516,000] <inf> main: ----- END ATTESTATION TOKEN -----',
    ]);
    expect(found?.deviceId).toBe(deviceId);
  });

  it('Serial Modem application: #XNRFPROV, then the token in a log line', () => {
    const found = scan([
      'Ready',
      '#XNRFPROV: -2',
      `[00:00:02.100,000] <inf> slm_nrfcloud: Attestation token: ${token}`,
    ]);
    expect(found?.deviceId).toBe(deviceId);
  });

  it('ignores candidates that do not decode, and lines that only look like tokens', () => {
    expect(scan([`${'A'.repeat(50)}.${'B'.repeat(50)}`, token.slice(0, -30)])).toBeNull();
    expect(
      scan(['----- BEGIN ATTESTATION TOKEN -----', 'garbage', '----- END ATTESTATION TOKEN -----']),
    ).toBeNull();
  });
});
