import { boardOf, pickConsolePorts, type RawPort } from '../core/boards';
import { readDeadlineMs } from '../core/probe-plan';
import type { TagCheck } from '../core/tags';
import { CodedError } from '../shared/result';
import type { PortInfo, PortTile, ReadMode, ScanResult, SessionRead, StationView } from '../shared/types';
import type { ReadRequest } from './capture-service';

/** How to read a board, apart from which port: mode, tags, deadline, baud rate, flow control, line ending. */
export type ReadOptions = Omit<ReadRequest, 'port' | 'onStage'>;

export type WatchOptions = { mode: ReadMode; tags?: string[]; intervalMs?: number } & Partial<
  Omit<ReadOptions, 'mode' | 'tags'>
>;

export interface StationDeps {
  listPorts: () => Promise<RawPort[]>;
  read: (request: ReadRequest) => Promise<ScanResult>;
  /** A read's tags after the active site's and the session's, checked by the one tag rule. */
  tagsFor: (extra: readonly string[]) => TagCheck;
  /** The saved deadline of one exchange with a board, for reads that do not give their own. */
  defaultTimeoutMs: () => number;
  onChange: (tiles: PortTile[]) => void;
  /** The session's reads, newest first, whenever one ends or the session starts again. */
  onSession?: (reads: SessionRead[]) => void;
  /** Remembers the watch switch across restarts (the desktop app's setting). */
  saveWatch?: (watching: boolean) => void;
  /** A port listing that failed (kept for support; the next look tries again). */
  warn?: (message: string) => void;
  now?: () => number;
}

/** A long day at one site is a few hundred boards; older reads are in the site report. */
const SESSION_LIMIT = 2_000;

const isBusy = (tile: PortTile) => tile.state === 'connecting' || tile.state === 'reading';
const isFinished = (tile: PortTile) =>
  tile.state === 'queued' || tile.state === 'already-queued' || tile.state === 'error';

/**
 * The station: one tile per serial port with its live state, reads of one port or of every
 * recognised console at once, a port list kept live, a watch that reads each board as it is
 * plugged in, and the session's reads (which outlive the ports they were read on).
 */
export class StationService {
  private readonly tiles = new Map<string, PortTile>();
  /** What each board (by USB serial number) gave this session: plugged in again, it is not read again. */
  private readonly readSerials = new Map<string, ScanResult>();
  private session: SessionRead[] = [];
  private sessionSeq = 0;
  /** Ports the last listing showed. */
  private present = new Set<string>();
  /** Ports present at the watch's last look: only the others are new boards to read. */
  private seen = new Set<string>();
  private watching = false;
  private monitoring = false;
  private watchOptions: WatchOptions = { mode: 'auto' };
  private intervalMs = 1000;
  /** Each polling loop has its number: a loop stopped while its look was out does not go on. */
  private pollGeneration = 0;
  private polling = false;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private lastWarning: string | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: StationDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The tiles, newest first: a port just plugged in, or a read just started, is on top. */
  snapshot(): PortTile[] {
    return [...this.tiles.values()].sort((a, b) => b.since - a.since);
  }

  view(): StationView {
    return { tiles: this.snapshot(), watching: this.watching, session: [...this.session] };
  }

  isWatching(): boolean {
    return this.watching;
  }

  private put(path: string, change: Partial<PortTile>): void {
    const tile: PortTile = this.tiles.get(path) ?? {
      path,
      board: null,
      serialNumber: null,
      console: false,
      state: 'waiting',
      result: null,
      error: null,
      since: this.now(),
      startedAt: null,
      deadlineMs: null,
      manual: !this.present.has(path),
    };
    this.tiles.set(path, { ...tile, ...change });
  }

  private changed(): void {
    this.deps.onChange(this.snapshot());
  }

  private update(path: string, change: Partial<PortTile>): void {
    this.put(path, change);
    this.changed();
  }

  /**
   * Lists the serial ports and brings the tiles up to date: a tile for each new port, none for a
   * port that is gone (unless it is being read, or its path was typed by hand). Pushes only when
   * something changed.
   */
  async listPorts(): Promise<PortInfo[]> {
    const ports = pickConsolePorts(await this.deps.listPorts()).map((p) => ({
      path: p.path,
      board: p.board,
      serialNumber: p.serialNumber ?? null,
      vendorId: p.vendorId ?? null,
      productId: p.productId ?? null,
      console: p.console,
    }));
    this.present = new Set(ports.map((p) => p.path));
    let changed = false;
    for (const p of ports) {
      const tile = this.tiles.get(p.path);
      const same =
        tile &&
        !tile.manual &&
        tile.board === p.board &&
        tile.serialNumber === p.serialNumber &&
        tile.console === p.console;
      if (same) continue;
      this.put(p.path, {
        board: p.board,
        serialNumber: p.serialNumber,
        console: p.console,
        manual: false,
        ...(tile ? {} : { since: this.now() }),
      });
      changed = true;
    }
    // The session list keeps what was read on a port that is gone; its tile goes with the port.
    for (const [path, tile] of this.tiles) {
      if (!this.present.has(path) && !tile.manual && !isBusy(tile)) changed = this.tiles.delete(path);
    }
    if (changed) this.changed();
    return ports;
  }

  /**
   * Reads one port, keeping its tile up to date. The site's and the session's tags go on first; tags
   * that break the rule are refused before the port is touched (no tile shows them). Errors are
   * thrown as well as shown on the tile.
   */
  async read(request: ReadRequest): Promise<ScanResult> {
    const tags = this.deps.tagsFor(request.tags);
    if (!tags.ok) throw new CodedError('invalid-argument', `tags: ${tags.reason}`);
    const current = this.tiles.get(request.port);
    if (current && isBusy(current))
      throw new CodedError('port-unavailable', `${request.port} is being read already: wait for that read`);
    const startedAt = this.now();
    this.update(request.port, {
      state: 'connecting',
      error: null,
      result: null,
      since: startedAt,
      startedAt,
      deadlineMs: readDeadlineMs(request.mode, request.timeoutMs ?? this.deps.defaultTimeoutMs()),
    });
    const done = { startedAt: null, deadlineMs: null };
    try {
      const result = await this.deps.read({
        ...request,
        tags: tags.tags,
        onStage: (stage) => {
          this.update(request.port, { state: stage });
          request.onStage?.(stage);
        },
      });
      this.put(request.port, { ...done, state: result.duplicate ? 'already-queued' : 'queued', result });
      const serial = this.tiles.get(request.port)?.serialNumber;
      if (serial) this.readSerials.set(serial, result);
      this.record(request.port, { result, tags: result.tags });
      this.changed();
      return result;
    } catch (err) {
      this.put(request.port, { ...done, state: 'error', error: (err as Error).message });
      this.record(request.port, { error: (err as Error).message, tags: tags.tags });
      this.changed();
      throw err;
    }
  }

  private record(port: string, outcome: { result?: ScanResult; error?: string; tags: string[] }): void {
    const tile = this.tiles.get(port);
    const { result, error } = outcome;
    this.session = [
      {
        id: ++this.sessionSeq,
        at: new Date(this.now()).toISOString(),
        port,
        board: tile?.board ?? null,
        serialNumber: tile?.serialNumber ?? null,
        deviceId: result?.deviceId ?? null,
        imei: result?.imei ?? null,
        tags: outcome.tags,
        outcome: result ? (result.duplicate ? 'duplicate' : 'queued') : 'error',
        error: error ?? null,
      },
      ...this.session.slice(0, SESSION_LIMIT - 1),
    ];
    this.deps.onSession?.([...this.session]);
  }

  /**
   * Dismisses finished and error tiles (these ports, or every such tile): a port still plugged in
   * goes back to waiting for a read; a typed path, or a port that is gone, leaves. A read in
   * progress is never dismissed. The session list keeps every outcome.
   */
  dismiss(paths?: string[]): StationView {
    const chosen = paths ? new Set(paths) : null;
    let changed = false;
    for (const [path, tile] of [...this.tiles]) {
      if ((chosen && !chosen.has(path)) || isBusy(tile)) continue;
      if (!chosen && !isFinished(tile)) continue;
      if (tile.manual || !this.present.has(path)) changed = this.tiles.delete(path) || changed;
      else if (isFinished(tile)) {
        this.put(path, { state: 'waiting', result: null, error: null });
        changed = true;
      }
    }
    if (changed) this.changed();
    return this.view();
  }

  /** A new session: its list of reads begins again (what was queued stays queued). */
  clearSession(): StationView {
    this.session = [];
    this.readSerials.clear();
    this.deps.onSession?.([]);
    return this.view();
  }

  /** Reads every recognised console port in parallel; a slow or broken board does not hold up the others. */
  async readAll(options: ReadOptions): Promise<Array<ScanResult | { port: string; error: string }>> {
    const consoles = (await this.listPorts()).filter((p) => p.console);
    if (consoles.length === 0) {
      throw new CodedError(
        'device-no-answer',
        'No Nordic board was recognised: plug one in, or read its port by its path',
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

  /**
   * Keeps the port list live (the desktop app): a board plugged in gets its tile within a look,
   * with or without the watch.
   */
  startMonitor(intervalMs = 1000): void {
    this.monitoring = true;
    this.intervalMs = intervalMs;
    this.poll();
  }

  /**
   * Reads each new board once per session, with the site's and the session's tags (and `tags`).
   * Boards already plugged in when the watch is switched on are not new; at start-up every board is.
   */
  startWatch(options: WatchOptions = { mode: 'auto' }): void {
    this.watchOptions = options;
    if (options.intervalMs !== undefined) this.intervalMs = options.intervalMs;
    if (this.watching) return;
    this.watching = true;
    this.seen = new Set([...this.tiles.values()].filter((t) => !t.manual).map((t) => t.path));
    this.poll();
  }

  stopWatch(): void {
    this.watching = false;
    if (!this.monitoring) this.stopPolling();
  }

  /** The window's switch: on or off, remembered for the next start. */
  setWatch(watching: boolean): { watching: boolean } {
    this.deps.saveWatch?.(watching);
    if (watching) this.startWatch({ mode: 'auto' });
    else this.stopWatch();
    return { watching: this.watching };
  }

  close(): void {
    this.monitoring = false;
    this.watching = false;
    this.stopPolling();
  }

  private poll(): void {
    if (this.polling) return;
    this.polling = true;
    const generation = ++this.pollGeneration;
    const tick = async () => {
      try {
        await this.look();
        this.lastWarning = null;
      } catch (err) {
        // A listing can fail for a moment (a hub re-enumerating): said once, tried again next time.
        const message = `could not list the serial ports: ${(err as Error).message}`;
        if (message !== this.lastWarning) this.deps.warn?.(message);
        this.lastWarning = message;
      } finally {
        if (this.polling && generation === this.pollGeneration)
          this.pollTimer = setTimeout(() => void tick(), this.intervalMs);
      }
    };
    void tick();
  }

  private stopPolling(): void {
    this.polling = false;
    this.pollGeneration++;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** One look at the ports; with the watch on, reads the boards that were not there the last time. */
  private async look(): Promise<void> {
    const ports = await this.listPorts();
    if (!this.watching) return;
    const fresh = ports.filter((p) => p.console && !this.seen.has(p.path));
    // A port that disappeared (unplugged) is new again when it comes back.
    this.seen = new Set(ports.map((p) => p.path));
    for (const p of fresh) {
      const tile = this.tiles.get(p.path);
      if (tile && isBusy(tile)) continue;
      const earlier = p.serialNumber ? this.readSerials.get(p.serialNumber) : undefined;
      if (earlier) {
        this.update(p.path, { state: 'already-queued', result: earlier, error: null, since: this.now() });
        continue;
      }
      const { intervalMs: _interval, ...read } = this.watchOptions;
      // The tile shows the outcome; a failed read must not stop the watch.
      void this.read({ ...read, tags: read.tags ?? [], port: p.path }).catch(() => undefined);
    }
  }
}

/** Nordic's tools print numeric serial numbers as integers: 1051202135 is 001051202135. */
function sameSerialNumber(listed: string, wanted: string): boolean {
  if (listed.toUpperCase() === wanted.toUpperCase()) return true;
  return /^\d+$/.test(listed) && /^\d+$/.test(wanted) && BigInt(listed) === BigInt(wanted);
}
