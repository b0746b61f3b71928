import { realpathSync } from 'node:fs';
import { looksLikeSerialDevice } from '../core/serial-path';
import { CodedError } from '../shared/result';
import type { PortInfo } from '../shared/types';

/**
 * A port path that came from the window: accepted if the system lists it as a serial port, or if
 * it (or what it links to) is shaped like a serial device of this platform. Anything else is
 * refused before it is opened: the window must not be a way to open arbitrary files or terminals.
 */
export async function checkPortFromWindow(
  path: string,
  listed: () => Promise<PortInfo[]>,
  platform: string = process.platform,
): Promise<void> {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // absent: the shape of the name decides, and opening it says it is not there
  }
  if ([path, target].some((p) => looksLikeSerialDevice(p, platform))) return;
  const ports = await listed();
  if (ports.some((p) => p.path === path || p.path === target)) return;
  throw new CodedError(
    'invalid-argument',
    `${path} is not a serial port: choose a port from the list, or plug the board in and wait for it to appear`,
  );
}
