import { boardOf, pickConsolePorts, type RawPort } from '../core/boards';
import { CodedError } from '../shared/result';
import type { PortInfo, PortTile, ReadMode, ScanResult } from '../shared/types';
import type { ReadRequest } from './capture-service';

/** How to read a board, apart from which port: mode, tags, deadline, baud rate, flow control, line ending. */
export type ReadOptions = Omit<ReadRequest, 'port' | 'onStage'>;

export interface StationDeps {
  listPorts: () => Promise<RawPort[]>;
  read: (request: ReadRequest) => Promise<ScanResult>;
  /** Tags every automatic read gets (the active site's). */
  siteTags: () => string[];
  onChange: (tiles: PortTile[]) => void;
}

/**
 * The station: one tile per serial port with its live state, reads of one port or of every
 * recognised console at once, and a watch that reads each board as it is plugged in.
 */
export class StationService {
  private readonly tiles = new Map<string, PortTile>();
  private readonly readSerials = new Set<string>();
  private watchTimer: ReturnType<typeof setTimeout> | null = null;
  private watching = false;

  constructor(private readonly deps: StationDeps) {}

  snapshot(): PortTile[] {
    return [...this.tiles.values()];
  }

  isWatching(): boolean {
    return this.watching;
  }

  private update(path: string, change: Partial<PortTile>): void {
    const tile = this.tiles.get(path) ?? {
      path,
      board: null,
      serialNumber: null,
      console: false,
      state: 'waiting' as const,
      result: null,
      error: null,
    };
    this.tiles.set(path, { ...tile, ...change });
    this.deps.onChange(this.snapshot());
  }

  async listPorts(): Promise<PortInfo[]> {
    const ports = pickConsolePorts(await this.deps.listPorts()).map((p) => ({
      path: p.path,
      board: p.board,
      serialNumber: p.serialNumber ?? null,
      vendorId: p.vendorId ?? null,
      productId: p.productId ?? null,
      console: p.console,
    }));
    for (const p of ports) {
      if (!this.tiles.has(p.path))
        this.update(p.path, { board: p.board, serialNumber: p.serialNumber, console: p.console });
    }
    return ports;
  }

  /** Reads one port, keeping its tile up to date. Errors are thrown as well as shown on the tile. */
  async read(request: ReadRequest): Promise<ScanResult> {
    this.update(request.port, { state: 'connecting', error: null });
    try {
      const result = await this.deps.read({
        ...request,
        onStage: (stage) => {
          this.update(request.port, { state: stage });
          request.onStage?.(stage);
        },
      });
      this.update(request.port, { state: result.duplicate ? 'already-queued' : 'queued', result });
      const serial = this.tiles.get(request.port)?.serialNumber;
      if (serial) this.readSerials.add(serial);
      return result;
    } catch (err) {
      this.update(request.port, { state: 'error', error: (err as Error).message });
      throw err;
    }
  }

  /** Reads every recognised console port in parallel; a slow or broken board does not hold up the others. */
  async readAll(options: ReadOptions): Promise<Array<ScanResult | { port: string; error: string }>> {
    const consoles = (await this.listPorts()).filter((p) => p.console);
    if (consoles.length === 0) {
      throw new CodedError(
        'device-no-answer',
        'No Nordic board was recognised: plug one in, or give its port with --port',
      );
    }
    return Promise.all(
      consoles.map((p) =>
        this.read({ port: p.path, ...options }).catch((err: Error) => ({ port: p.path, error: err.message })),
      ),
    );
  }

  /**
   * Finds the board with this USB serial number (as printed on its label, or as Nordic's tools
   * show it, leading zeros dropped) and returns its console port. Fails, saying which boards there
   * are, when none has it; and when it is not an nRF91 board, whose port must not be read.
   */
  async consolePortFor(serialNumber: string): Promise<PortInfo> {
    const wanted = serialNumber.trim();
    if (!wanted) throw new CodedError('invalid-argument', 'The USB serial number is empty');
    const ports = await this.listPorts();
    const board = ports.filter((p) => p.serialNumber !== null && sameSerialNumber(p.serialNumber, wanted));
    if (board.length === 0) {
      const seen = [
        ...new Map(ports.filter((p) => p.serialNumber).map((p) => [p.serialNumber, p.board])).entries(),
      ];
      throw new CodedError(
        'not-found',
        `No board with USB serial number ${wanted} is plugged in` +
          (seen.length
            ? ` (there are: ${seen.map(([sn, name]) => (name ? `${sn} ${name}` : sn)).join('; ')})`
            : ': no USB serial port has a serial number; check the cable, or give the port instead'),
      );
    }
    const main = board.find((p) => p.console);
    if (main) return main;
    const first = board[0]!;
    const kind = boardOf({
      path: first.path,
      serialNumber: first.serialNumber ?? undefined,
      vendorId: first.vendorId ?? undefined,
      productId: first.productId ?? undefined,
    });
    if (!kind?.cellular) {
      throw new CodedError(
        'invalid-argument',
        `USB serial number ${wanted} is ${kind ? `a ${kind.name}` : 'no Nordic board'}: it has no nRF91 modem, so no attestation token to read`,
      );
    }
    const name = kind.name;
    throw new CodedError(
      'port-unavailable',
      `The ${name} with USB serial number ${wanted} shows ${board.length} serial port(s) (${board.map((p) => p.path).join(', ')}), ` +
        'but not its console: unplug it and plug it in again, or give its port instead',
    );
  }

  /** Reads the board with this USB serial number, on its console port. */
  async readBySerialNumber(serialNumber: string, options: ReadOptions): Promise<ScanResult> {
    const port = await this.consolePortFor(serialNumber);
    return this.read({ ...options, port: port.path });
  }

  /** Polls the port list and reads each new board once per session, with the site's tags (or `tags`). */
  startWatch(
    options: { mode: ReadMode; tags?: string[]; intervalMs?: number } & Partial<
      Omit<ReadOptions, 'mode' | 'tags'>
    >,
  ): void {
    if (this.watching) return;
    this.watching = true;
    const seen = new Set(this.tiles.keys());
    const tick = async () => {
      try {
        const ports = await this.listPorts();
        const fresh = ports.filter((p) => p.console && !seen.has(p.path));
        for (const p of ports) seen.add(p.path);
        for (const p of fresh) {
          if (p.serialNumber && this.readSerials.has(p.serialNumber)) {
            this.update(p.path, { state: 'already-queued', error: null });
            continue;
          }
          const { intervalMs: _interval, ...read } = options;
          const tags = options.tags ?? this.deps.siteTags();
          // The tile shows the outcome; a failed read must not stop the watch.
          void this.read({ ...read, port: p.path, tags }).catch(() => undefined);
        }
        // A port that disappeared (unplugged) can be read again when it comes back.
        const present = new Set(ports.map((p) => p.path));
        for (const path of [...seen]) if (!present.has(path)) seen.delete(path);
        let removed = false;
        for (const path of [...this.tiles.keys()]) {
          if (!present.has(path) && this.tiles.get(path)?.state !== 'error')
            removed = this.tiles.delete(path);
        }
        // Every other change already went out through update(); a quiet tick pushes nothing.
        if (removed) this.deps.onChange(this.snapshot());
      } finally {
        if (this.watching) this.watchTimer = setTimeout(() => void tick(), options.intervalMs ?? 1000);
      }
    };
    void tick();
  }

  stopWatch(): void {
    this.watching = false;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
  }
}

/** Nordic's tools print numeric serial numbers as integers: 1051202135 is 001051202135. */
function sameSerialNumber(listed: string, wanted: string): boolean {
  if (listed.toUpperCase() === wanted.toUpperCase()) return true;
  return /^\d+$/.test(listed) && /^\d+$/.test(wanted) && BigInt(listed) === BigInt(wanted);
}
