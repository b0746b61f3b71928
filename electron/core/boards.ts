/** Recognising Nordic boards among serial ports, by USB serial-number prefix first, vendor id second. */

const serialPrefixes: Array<[string, string]> = [
  ['THINGY91X', 'Thingy:91 X'],
  ['THINGY91', 'Thingy:91'],
  ['PCA20035', 'Thingy:91'],
  ['0009600', 'nRF9160 DK'],
  ['0010509', 'nRF9161 DK'],
  ['0010510', 'nRF9131 EK'],
  ['0010512', 'nRF9151 DK'],
  ['0010520', 'nRF9151 DK'],
  ['0010550', 'Thingy:91 X'],
  ['0010551', 'Thingy:91 X'],
  ['0010513', 'Thingy:91 X'],
];

const SEGGER = '1366';
const NORDIC = '1915';

export interface RawPort {
  path: string;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
  /** USB interface number, when the platform reports it (stable order of a board's ports). */
  interfaceNumber?: number | undefined;
}

export function recogniseBoard(port: RawPort): string | null {
  const serial = (port.serialNumber ?? '').toUpperCase();
  const byPrefix = serialPrefixes.find(([prefix]) => serial.startsWith(prefix));
  if (byPrefix) return byPrefix[1];
  const vendor = (port.vendorId ?? '').toLowerCase();
  const product = (port.productId ?? '').toLowerCase();
  if (vendor === NORDIC && product === '910a') return 'Thingy:91 X';
  if (vendor === NORDIC && product === '9100') return 'Thingy:91';
  if (vendor === SEGGER) return 'Nordic DK (SEGGER probe)';
  return null;
}

/**
 * Marks the console port of each recognised board: the first of its ports in stable order
 * (interface number where known, else path). Consoles come first, then the other ports of
 * recognised boards, then ports nobody recognised.
 */
export function pickConsolePorts<T extends RawPort>(
  ports: T[],
): Array<T & { board: string | null; console: boolean }> {
  const sorted = [...ports].sort(
    (a, b) =>
      (a.serialNumber ?? '').localeCompare(b.serialNumber ?? '') ||
      (a.interfaceNumber ?? 0) - (b.interfaceNumber ?? 0) ||
      a.path.localeCompare(b.path, undefined, { numeric: true }),
  );
  const seenBoards = new Set<string>();
  const marked = sorted.map((port) => {
    const board = recogniseBoard(port);
    const key = port.serialNumber ?? port.path;
    const isConsole = board !== null && !seenBoards.has(key);
    if (isConsole) seenBoards.add(key);
    return { ...port, board, console: isConsole };
  });
  const rank = (p: { board: string | null; console: boolean }) => (p.console ? 0 : p.board ? 1 : 2);
  return marked.sort((a, b) => rank(a) - rank(b));
}
