import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SerialPort } from 'serialport';
import type { RawPort } from '../../core/boards';

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
    // /sys/class/tty/ttyACM0/device -> the USB interface; its parent holds serial, idVendor, idProduct.
    const iface = join(sysRoot, name, 'device');
    const usb = join(iface, '..');
    const interfaceText = readSysAttr(iface, 'bInterfaceNumber');
    return {
      path: `/dev/${name}`,
      serialNumber: readSysAttr(usb, 'serial'),
      vendorId: readSysAttr(usb, 'idVendor'),
      productId: readSysAttr(usb, 'idProduct'),
      interfaceNumber: interfaceText ? parseInt(interfaceText, 16) : undefined,
    };
  });
}

/** Adds what /dev/serial/by-id says (…-if00 names) when sysfs had no serial number. */
export function listFromById(byIdDir = '/dev/serial/by-id'): RawPort[] {
  try {
    return readdirSync(byIdDir).map((link) => {
      const target = readlinkSync(join(byIdDir, link));
      const m = /^usb-(.+?)_(.+?)_([^_]+)-if(\d+)/.exec(link);
      return {
        path: `/dev/${basename(target)}`,
        serialNumber: m?.[3],
        interfaceNumber: m?.[4] ? Number(m[4]) : undefined,
      };
    });
  } catch {
    return [];
  }
}

function interfaceFromPnpId(pnpId: string | undefined): number | undefined {
  const digits = pnpId ? /-if(\d+)/.exec(pnpId)?.[1] : undefined;
  return digits === undefined ? undefined : Number(digits);
}

/** Lists serial ports; never throws (serialport's list rejects, or crashes callers, without udevadm). */
export async function listSerialPorts(): Promise<RawPort[]> {
  try {
    const ports = await SerialPort.list();
    return ports.map((p) => ({
      path: p.path,
      serialNumber: p.serialNumber,
      vendorId: p.vendorId,
      productId: p.productId,
      interfaceNumber: interfaceFromPnpId(p.pnpId),
    }));
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
