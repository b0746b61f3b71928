import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { usbInterfaceOf, type RawPort } from '../../core/boards';

function resolveLink(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function readSysAttr(dir: string, name: string): string | undefined {
  try {
    return readFileSync(join(dir, name), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Linux without udevadm (containers, minimal installs): read USB attributes from sysfs.
 * Only ttys backed by a device (ttyACM*, ttyUSB*) are listed, as serialport does.
 */
export function listFromSysfs(sysRoot = '/sys/class/tty'): RawPort[] {
  let names: string[];
  try {
    names = readdirSync(sysRoot).filter((n) => /^tty(ACM|USB)\d+$/.test(n));
  } catch {
    return [];
  }
  return names.map((name) => {
    // /sys/class/tty/ttyACM0/device links to the USB interface; its parent holds serial, idVendor,
    // idProduct. The link must be resolved first: join(link, '..') would only strip the name.
    const iface = resolveLink(join(sysRoot, name, 'device'));
    const usb = iface ? dirname(iface) : null;
    const interfaceText = iface ? readSysAttr(iface, 'bInterfaceNumber') : undefined;
    return {
      path: `/dev/${name}`,
      serialNumber: usb ? readSysAttr(usb, 'serial') : undefined,
      vendorId: usb ? readSysAttr(usb, 'idVendor') : undefined,
      productId: usb ? readSysAttr(usb, 'idProduct') : undefined,
      interfaceNumber: interfaceText ? parseInt(interfaceText, 16) : undefined,
    };
  });
}

/** Adds what /dev/serial/by-id says (…-if00 names) when sysfs had no serial number. */
export function listFromById(byIdDir = '/dev/serial/by-id'): RawPort[] {
  try {
    return readdirSync(byIdDir).map((link) => {
      const target = readlinkSync(join(byIdDir, link));
      const m = /^usb-(.+?)_(.+?)_([^_]+)-if[0-9a-f]{2}/i.exec(link);
      return {
        path: `/dev/${basename(target)}`,
        serialNumber: m?.[3],
        interfaceNumber: usbInterfaceOf(link),
      };
    });
  } catch {
    return [];
  }
}

/** What serialport's list says of a port (its PortInfo), as far as board recognition needs it. */
export interface ListedPort {
  path: string;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
  pnpId?: string | undefined;
}

/** A Windows device instance id (`6&FED21C1&0&0000`), which is no USB serial number. */
const windowsInstanceId = /&/;

/**
 * One listed port as board recognition sees it. On Windows serialport reports an interface's
 * instance id as the serial number of a composite device (serialport/node-serialport#2726), so
 * such a "serial number" is dropped and the ports are grouped by the id they share instead.
 */
export function toRawPort(p: ListedPort): RawPort {
  const instance = p.serialNumber && windowsInstanceId.test(p.serialNumber) ? p.serialNumber : undefined;
  return {
    path: p.path,
    serialNumber: instance ? undefined : p.serialNumber,
    vendorId: p.vendorId,
    productId: p.productId,
    interfaceNumber: usbInterfaceOf(p.pnpId),
    // Interfaces of one device have instance ids that differ in their last part only
    // (6&FED21C1&0&0000, 6&FED21C1&0&0001).
    deviceKey: instance ? `${p.vendorId}:${p.productId}:${instance.replace(/&[^&]*$/, '')}` : undefined,
  };
}

/** Lists serial ports; never throws (serialport's list rejects, or crashes callers, without udevadm). */
export async function listSerialPorts(): Promise<RawPort[]> {
  try {
    const { SerialPort } = await import('serialport');
    return (await SerialPort.list()).map(toRawPort);
  } catch {
    if (process.platform !== 'linux') return [];
    const fromSys = listFromSysfs();
    const byId = new Map(listFromById().map((p) => [p.path, p]));
    return fromSys.map((p) => {
      const id = byId.get(p.path);
      return {
        ...p,
        serialNumber: p.serialNumber ?? id?.serialNumber,
        interfaceNumber: p.interfaceNumber ?? id?.interfaceNumber,
      };
    });
  }
}
