import { describe, expect, it } from 'vitest';
import { readTarget, seconds } from '../../renderer/src/lib/format';

describe('what was typed to read a board by hand', () => {
  it('is a port path when it looks like one, on every platform', () => {
    for (const port of ['/dev/ttyACM0', 'COM3', 'com12', '\\\\.\\COM10', '/dev/cu.usbmodem0010512021351'])
      expect(readTarget(` ${port} `)).toEqual({ port });
  });

  it("is the USB serial number on the board's label otherwise", () => {
    expect(readTarget('001051202135')).toEqual({ serialNumber: '001051202135' });
    expect(readTarget('THINGY91X_3A2F')).toEqual({ serialNumber: 'THINGY91X_3A2F' });
  });

  it('is nothing when nothing was typed', () => {
    expect(readTarget('   ')).toBeNull();
  });
});

describe("a read's time so far", () => {
  it('counts whole seconds, then minutes and seconds', () => {
    expect(seconds(0)).toBe('0 s');
    expect(seconds(4_900)).toBe('4 s');
    expect(seconds(65_000)).toBe('1 min 05 s');
    expect(seconds(-10)).toBe('0 s');
  });
});
