import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import type { RawPort } from '../../core/boards';

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
