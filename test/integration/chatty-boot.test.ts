import { randomBytes } from 'node:crypto';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPtyPair, type PtyPair } from '../support/pty-pair';
import { openTestApp } from '../support/station';
import { makeToken } from '../support/tokens';

let station: ReturnType<typeof openTestApp>;
let pty: PtyPair;
let device: SerialPort;
let printing: ReturnType<typeof setInterval> | null = null;

beforeEach(async () => {
  station = openTestApp();
  pty = await openPtyPair();
  device = new SerialPort({ path: pty.devicePath, baudRate: 115200 });
  await new Promise<void>((resolve, reject) => device.on('open', resolve).on('error', reject));
});
afterEach(async () => {
  if (printing) clearInterval(printing);
  await new Promise((resolve) => device.close(resolve));
  await pty.close();
  station.close();
});

/** 16 KiB of base64-like text without a dot: what a chatty board's trace logs look like to a token search. */
const chattyLine = () =>
  randomBytes(12 * 1024)
    .toString('base64url')
    .slice(0, 16 * 1024);

describe('a chatty board printing its token at boot', () => {
  it('long lines of base64-like logging before the token do not hide it past the deadline', async () => {
    const token = makeToken();
    const boot = [
      ...Array.from({ length: 20 }, chattyLine),
      'Attestation token for claiming device on nRFCloud:',
      token.token,
      '',
    ];
    // A board in a boot loop: the log repeats, so a listener that opens late still sees one whole.
    const print = () => device.write(`${boot.join('\r\n')}\r\n`);
    print();
    printing = setInterval(print, 500);
    const result = await station.app.station.read({
      port: pty.appPath,
      tags: [],
      mode: 'passive',
      timeoutMs: 3_000,
    });
    expect(result).toMatchObject({ deviceId: token.deviceId, dialect: 'passive' });
  });
});
