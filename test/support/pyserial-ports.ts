import type { ListedPort } from '../../electron/adapters/serial/port-list';

export type ListPlatform = 'linux' | 'mac' | 'windows';

/** nrfcredstore names its fixtures list_ports_mac, list_ports_windows, list_ports_linux_*. */
export function platformOfList(name: string): ListPlatform {
  if (name.includes('mac')) return 'mac';
  if (name.includes('windows')) return 'windows';
  return 'linux';
}

/** The parts of a pyserial hwid: `USB VID:PID=1366:1069 SER=001051202135 LOCATION=3-12.1.3.2.4:1.0`. */
function parseHwid(hwid: string) {
  const vidPid = /VID:PID=([0-9A-F]{4}):([0-9A-F]{4})/i.exec(hwid);
  const serial = /SER=(\S+)/.exec(hwid)?.[1];
  const location = /LOCATION=(\S+)/.exec(hwid)?.[1];
  const iface = location ? /:(?:x|\d+)\.(\d+)$/.exec(location)?.[1] : undefined;
  return {
    vendorId: vidPid?.[1],
    productId: vidPid?.[2],
    serial,
    location,
    iface: iface === undefined ? undefined : Number(iface),
  };
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * What serialport's list reports for a port pyserial described with `hwid`, on each platform:
 * Linux (udev) gives the /dev/serial/by-id name as pnpId, with `-ifNN`; Windows gives
 * `USB\VID_…&PID_…&MI_NN\<instance>`, and, for a composite device such as a Nordic kit, the
 * instance id in place of the serial number (serialport/node-serialport#2726) unless
 * `serialIntact`; macOS gives no interface at all (Nordic's tool orders by path there).
 */
export function asSerialportListing(
  port: { device: string; hwid: string },
  platform: ListPlatform,
  options: { serialIntact?: boolean } = {},
): ListedPort {
  if (!port.hwid.startsWith('USB')) return { path: port.device };
  const { vendorId, productId, serial, iface } = parseHwid(port.hwid);
  switch (platform) {
    case 'linux':
      return {
        path: port.device,
        serialNumber: serial,
        vendorId: vendorId?.toLowerCase(),
        productId: productId?.toLowerCase(),
        pnpId: `usb-Vendor_Product_${serial}-if${hex2(iface ?? 0).toLowerCase()}`,
      };
    case 'windows': {
      // One device's interfaces share all but the last part of their instance ids.
      const device = [...(serial ?? '')].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) >>> 0, 7);
      const instance = `6&${device.toString(16).toUpperCase()}&0&${String(iface ?? 0).padStart(4, '0')}`;
      return {
        path: port.device,
        serialNumber: options.serialIntact ? serial : instance,
        vendorId,
        productId,
        pnpId: `USB\\VID_${vendorId}&PID_${productId}&MI_${hex2(iface ?? 0)}\\${instance}`,
      };
    }
    case 'mac':
      return { path: port.device, serialNumber: serial, vendorId, productId };
  }
}
