import type { PortInfo, ScanResult } from '../../../../electron/shared/types';
import { api, call } from '../api';

export type TileState = 'idle' | 'reading' | 'queued' | 'already-queued' | 'error';

export interface PortTile {
  path: string;
  board: string | null;
  serialNumber: string | null;
  console: boolean;
  state: TileState;
  result: ScanResult | null;
  error: string | null;
}

/** One tile per serial port: what was found and what each read came to. */
export class StationState {
  tiles = $state<PortTile[]>([]);
  listError = $state<string | null>(null);

  private upsertTile(path: string, info?: PortInfo): PortTile {
    let tile = this.tiles.find((t) => t.path === path);
    if (!tile) {
      this.tiles.push({
        path,
        board: info?.board ?? null,
        serialNumber: info?.serialNumber ?? null,
        console: info?.console ?? false,
        state: 'idle',
        result: null,
        error: null,
      });
      tile = this.tiles[this.tiles.length - 1]!;
    }
    return tile;
  }

  async listPorts(): Promise<void> {
    const { value, error } = await call(api.listPorts({}));
    this.listError = error?.message ?? null;
    for (const port of value ?? []) this.upsertTile(port.path, port);
  }

  async read(path: string, tags: string[]): Promise<void> {
    const tile = this.upsertTile(path);
    tile.state = 'reading';
    tile.error = null;
    const { value, error } = await call(api.readPort({ port: path, tags, mode: 'auto' }));
    if (value) {
      tile.result = value;
      tile.state = value.duplicate ? 'already-queued' : 'queued';
    } else {
      tile.state = 'error';
      tile.error = error.message;
    }
  }
}
