import { describe, expect, it } from 'vitest';
import { boardOf, pickConsolePorts, usbInterfaceOf } from '../../electron/core/boards';

const recogniseBoard = (port: Parameters<typeof boardOf>[0]) => boardOf(port)?.name ?? null;

describe('board recognition', () => {
  it('recognises boards by serial-number prefix, then vendor id', () => {
    expect(recogniseBoard({ path: '/dev/ttyACM0', serialNumber: '001051234567' })).toBe('nRF9151 DK');
    expect(recogniseBoard({ path: 'COM3', vendorId: '1915', productId: '910A' })).toBe('Thingy:91 X');
    expect(recogniseBoard({ path: '/dev/ttyUSB0', vendorId: '0403' })).toBeNull();
  });

  it('names kits that are not an nRF91 as such, and a SEGGER probe with no kit serial number a J-Link', () => {
    expect(recogniseBoard({ path: '/dev/ttyACM0', serialNumber: '001050012345' })).toBe(
      'nRF5340 DK, not a cellular board',
    );
    expect(recogniseBoard({ path: '/dev/ttyACM0', serialNumber: '000821001234', vendorId: '1366' })).toMatch(
      /^SEGGER J-Link, not a Nordic kit/,
    );
  });

  it('offers the main port of a kit whose console is not its first port: none, for a kit that is not an nRF91', () => {
    const ports = pickConsolePorts([
      { path: '/dev/ttyACM4', serialNumber: '001050760093', interfaceNumber: 0 },
      { path: '/dev/ttyACM5', serialNumber: '001050760093', interfaceNumber: 2 },
    ]);
    expect(ports.map((p) => [p.path, p.console])).toEqual([
      ['/dev/ttyACM4', false],
      ['/dev/ttyACM5', false],
    ]);
  });

  it('groups the interfaces of a device whose serial number is not known, by the key they share', () => {
    const ports = pickConsolePorts([
      { path: 'COM36', vendorId: '1915', productId: '910A', interfaceNumber: 4, deviceKey: 'k' },
      { path: 'COM35', vendorId: '1915', productId: '910A', interfaceNumber: 1, deviceKey: 'k' },
    ]);
    expect(ports.map((p) => [p.path, p.console])).toEqual([
      ['COM35', true],
      ['COM36', false],
    ]);
  });

  it.each([
    ['USB\\VID_1366&PID_1069&MI_02\\6&FED21C1&0&0002', 2],
    ['USB\\VID_1366&PID_1069&MI_0A\\6&FED21C1&0&000A', 10],
    ['usb-SEGGER_J-Link_001051202135-if02', 2],
    ['usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0', 0],
    ['USB VID:PID=1366:1069 SER=001051202135 LOCATION=3-12.1.3.2.4:1.2', 2],
    ['USB VID:PID=1915:910A SER=THINGY91X_F39CC1B120C LOCATION=1-21:x.4', 4],
    ['USB\\VID_1915&PID_910A\\THINGY91X_F39CC1B120C', undefined],
    [undefined, undefined],
  ])('reads the USB interface of %s as %s', (id, iface) => {
    expect(usbInterfaceOf(id)).toBe(iface);
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
