import { describe, expect, it } from 'vitest';
import { pickConsolePorts, recogniseBoard } from '../../electron/core/boards';

describe('board recognition', () => {
  it('recognises boards by serial-number prefix, then vendor id', () => {
    expect(recogniseBoard({ path: '/dev/ttyACM0', serialNumber: '001051234567' })).toBe('nRF9151 DK');
    expect(recogniseBoard({ path: 'COM3', vendorId: '1915', productId: '910A' })).toBe('Thingy:91 X');
    expect(recogniseBoard({ path: '/dev/ttyUSB0', vendorId: '0403' })).toBeNull();
  });
  it('offers the first port of each board as its console, recognised boards first', () => {
    const ports = pickConsolePorts([
      { path: '/dev/ttyUSB0', vendorId: '0403' },
      { path: '/dev/ttyACM1', serialNumber: '001050999999', interfaceNumber: 2 },
      { path: '/dev/ttyACM0', serialNumber: '001050999999', interfaceNumber: 0 },
    ]);
    expect(ports.map((p) => [p.path, p.console])).toEqual([
      ['/dev/ttyACM0', true],
      ['/dev/ttyACM1', false],
      ['/dev/ttyUSB0', false],
    ]);
  });
});
