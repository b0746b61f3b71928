import { describe, expect, it } from 'vitest';
import { looksLikeSerialDevice } from '../../electron/core/serial-path';

describe('serial device paths, per platform', () => {
  it.each([
    ['linux', '/dev/ttyACM0'],
    ['linux', '/dev/ttyUSB12'],
    ['linux', '/dev/serial/by-id/usb-SEGGER_J-Link_001051202135-if00'],
    ['darwin', '/dev/cu.usbmodem0010512021351'],
    ['darwin', '/dev/tty.usbmodem1'],
    ['win32', 'COM7'],
    ['win32', '\\\\.\\COM12'],
  ])('takes %s %s', (platform, path) => expect(looksLikeSerialDevice(path, platform)).toBe(true));

  it.each([
    ['linux', '/dev/pts/3'],
    ['linux', '/dev/tty'],
    ['linux', '/etc/passwd'],
    ['linux', '/dev/ttyACM0/../../etc/passwd'],
    ['linux', '/dev/serial/by-id/../../../etc/shadow'],
    ['darwin', '/dev/disk0'],
    ['win32', 'C:\\Windows\\win.ini'],
    ['win32', 'COM1:../x'],
  ])('refuses %s %s', (platform, path) => expect(looksLikeSerialDevice(path, platform)).toBe(false));
});
