/**
 * Recognising Nordic boards among serial ports as Nordic's own tools do (nrfcredstore's
 * usb_patterns): by USB serial-number prefix, each board's main port found by its index among
 * that board's ports. Vendor and product ids are a fallback only.
 */

/** What a serial port says about itself, whatever the platform's listing. */
export interface RawPort {
  path: string;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
  /** USB interface number, when the platform reports it (stable order of a board's ports). */
  interfaceNumber?: number | undefined;
  /**
   * What the ports of one USB device share when its serial number is not known (Windows reports
   * an interface's instance id in its place), so that they are still grouped as one board.
   */
  deviceKey?: string | undefined;
}

export interface BoardKind {
  /** Shown to the technician; a board that is not an nRF91 says so in its name. */
  name: string;
  /** An nRF91 board: it has a modem, so an attestation token to read. */
  cellular: boolean;
  /** Which of the board's ports, in stable order, is its console (Nordic's main port). */
  mainPortIndex: number;
}

const cellular = (name: string, mainPortIndex = 0): BoardKind => ({ name, cellular: true, mainPortIndex });
const notCellular = (name: string, mainPortIndex: number): BoardKind => ({
  name: `${name}, not a cellular board`,
  cellular: false,
  mainPortIndex,
});

/**
 * nrfcredstore's usb_patterns, in its order (the first prefix that matches wins, so THINGY91X
 * comes before THINGY91 and the catch-all 00105 last). The main-port index is Nordic's.
 */
export const usbSerialPatterns: ReadonlyArray<{ prefix: string; board: BoardKind }> = [
  { prefix: 'THINGY91X', board: cellular('Thingy:91 X') },
  { prefix: 'THINGY91', board: cellular('Thingy:91') },
  { prefix: 'PCA20035', board: cellular('Thingy:91') },
  { prefix: '0009600', board: cellular('nRF9160 DK') },
  { prefix: '0009601', board: notCellular('nRF5340 DK', 1) },
  { prefix: '0010500', board: notCellular('nRF5340 DK', 1) },
  { prefix: '0010507', board: notCellular('nRF7002 DK', 1) },
  { prefix: '0010509', board: cellular('nRF9161 DK') },
  { prefix: '0010510', board: cellular('nRF9131 EK') },
  { prefix: '0010511', board: notCellular('nRF54H20 DK', 0) },
  { prefix: '0010512', board: cellular('nRF9151 DK') },
  { prefix: '0010520', board: cellular('nRF9151 DK') },
  { prefix: '0010550', board: cellular('Thingy:91 X') },
  { prefix: '0010551', board: cellular('Thingy:91 X') },
  { prefix: '0010513', board: cellular('Thingy:91 X') },
  { prefix: '0010577', board: notCellular('nRF54L15 DK', 1) },
  // A kit newer than this list: Nordic's tools offer its first port, and so does Fieldclaim (it
  // may well be a new nRF91 kit; a read of anything else fails with a clear message).
  { prefix: '00105', board: cellular('Nordic kit (model not known to Fieldclaim)') },
  { prefix: 'NRFBLEGW', board: notCellular('nRF Cloud Gateway', 0) },
];

const SEGGER = '1366';
const NORDIC = '1915';

/** A SEGGER probe whose serial number matches no Nordic kit: a bare J-Link, never a console. */
const bareJLink: BoardKind = {
  name: 'SEGGER J-Link, not a Nordic kit (its serial number matches none)',
  cellular: false,
  mainPortIndex: 0,
};

/** The board a port belongs to, or null for a port that is no Nordic board's. */
export function boardOf(port: RawPort): BoardKind | null {
  const serial = (port.serialNumber ?? '').toUpperCase();
  if (serial) {
    const match = usbSerialPatterns.find((p) => serial.startsWith(p.prefix));
    if (match) return match.board;
  }
  // Nordic's tools look at serial numbers only. Vendor and product ids serve where the serial number
  // is lost (Windows reports an instance id for a composite device's interfaces): a Thingy has
  // its own product id; a SEGGER probe's says nothing about the board behind it.
  const vendor = (port.vendorId ?? '').toLowerCase();
  const product = (port.productId ?? '').toLowerCase();
  if (vendor === NORDIC && product === '910a') return cellular('Thingy:91 X');
  if (vendor === NORDIC && product === '9100') return cellular('Thingy:91');
  if (vendor === SEGGER) return bareJLink;
  return null;
}

/**
 * The USB interface number in a platform's id for a port: Windows' `MI_NN` (hex) in a PnP id,
 * Linux's `-ifNN` (hex) in a /dev/serial/by-id name, or the `:1.N` / `:x.N` of a pyserial hwid's
 * LOCATION. Undefined when the id holds none.
 */
export function usbInterfaceOf(id: string | undefined): number | undefined {
  if (!id) return undefined;
  const windows = /(?:^|[&\\])MI_([0-9A-F]{2})(?:[&\\]|$)/i.exec(id)?.[1];
  if (windows) return parseInt(windows, 16);
  const byId = /-if([0-9A-F]{2})(?:-|$)/i.exec(id)?.[1];
  if (byId) return parseInt(byId, 16);
  const location = /LOCATION=\S*:(?:x|\d+)\.(\d+)/.exec(id)?.[1];
  return location === undefined ? undefined : Number(location);
}

export type MarkedPort<T> = T & { board: string | null; console: boolean };

/** Stable order of one board's ports: by interface where known (as Nordic sorts by hwid), else by path. */
function portOrder(a: RawPort, b: RawPort): number {
  const ia = a.interfaceNumber ?? Number.MAX_SAFE_INTEGER;
  const ib = b.interfaceNumber ?? Number.MAX_SAFE_INTEGER;
  return ia - ib || a.path.localeCompare(b.path, undefined, { numeric: true });
}

const groupKey = (port: RawPort) =>
  port.serialNumber
    ? `serial:${port.serialNumber.toUpperCase()}`
    : port.deviceKey
      ? `device:${port.deviceKey}`
      : `path:${port.path}`;

/**
 * Marks the console port of each recognised nRF91 board: its main port, the one at the board's
 * main-port index among its ports in stable order. A board that is not an nRF91 is named but
 * offers no console. Consoles come first, then the other ports of recognised boards, then ports
 * nobody recognised.
 */
export function pickConsolePorts<T extends RawPort>(ports: T[]): Array<MarkedPort<T>> {
  const groups = new Map<string, T[]>();
  for (const port of ports) {
    const key = groupKey(port);
    groups.set(key, [...(groups.get(key) ?? []), port]);
  }
  const marked: Array<MarkedPort<T>> = [];
  for (const key of [...groups.keys()].sort()) {
    const members = [...groups.get(key)!].sort(portOrder);
    const board = boardOf(members[0]!);
    members.forEach((port, index) =>
      marked.push({
        ...port,
        board: board?.name ?? null,
        console: board !== null && board.cellular && index === board.mainPortIndex,
      }),
    );
  }
  const rank = (p: { board: string | null; console: boolean }) => (p.console ? 0 : p.board ? 1 : 2);
  return marked.sort((a, b) => rank(a) - rank(b));
}
