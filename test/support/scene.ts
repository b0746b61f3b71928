import type { RawPort } from '../../electron/core/boards';
import type { ModemConfig } from './modem-sim';
import { plugInBoard } from './station';

type Board = Awaited<ReturnType<typeof plugInBoard>>;

/** A simulated board and how USB would list it (ptys have no USB identity: this gives them one). */
export interface SceneBoard {
  config: Partial<ModemConfig>;
  usb: Omit<RawPort, 'path'>;
}

/**
 * Boards on socat ptys, listed as USB serial ports with Nordic serial numbers: what the demo and
 * the screenshots show. Plug one in (or pull it out) while the app runs; the list follows.
 */
export class SimulatedBench {
  private readonly boards: Array<{ board: Board; usb: Omit<RawPort, 'path'>; plugged: boolean }> = [];
  /** Ports that are no board's (a kit's second port, an adapter): listed, never opened. */
  readonly extraPorts: RawPort[] = [];

  /** The Fieldclaim `listPorts` option: what USB enumeration would say right now. */
  readonly listPorts = async (): Promise<RawPort[]> => [
    ...this.boards.filter((b) => b.plugged).map((b) => ({ path: b.board.pty.appPath, ...b.usb })),
    ...this.extraPorts,
  ];

  async add(
    board: SceneBoard,
    plugged = true,
  ): Promise<{ path: string; plug(): void; unplug(): void; board: Board }> {
    const entry = {
      board: await plugInBoard(board.config),
      usb: { interfaceNumber: 0, ...board.usb },
      plugged,
    };
    this.boards.push(entry);
    return {
      path: entry.board.pty.appPath,
      board: entry.board,
      plug: () => void (entry.plugged = true),
      unplug: () => void (entry.plugged = false),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.boards.map((b) => b.board.unplug()));
  }
}
