import type { PortTile } from '$shared/types';
import { api, call } from '../api';

/** The station's tiles, kept live by the main process's pushes. */
export class StationState {
  tiles = $state.raw<PortTile[]>([]);
  watching = $state(false);
  error = $state<string | null>(null);

  /** Loads the current tiles and subscribes to changes; returns the cleanup for $effect. */
  connect(): () => void {
    const off = api.on('stationChanged', (tiles) => (this.tiles = tiles));
    void call(api.getStation({})).then(({ value }) => {
      if (value) {
        this.tiles = value.tiles;
        this.watching = value.watching;
      }
    });
    void this.listPorts();
    return off;
  }

  async listPorts(): Promise<void> {
    const { error } = await call(api.listPorts({}));
    this.error = error?.message ?? null;
  }

  /** The tile shows how the read went; the error there is the one to act on. */
  async read(path: string, tags: string[]): Promise<void> {
    await call(api.readPort({ port: path, tags, mode: 'auto' }));
  }

  async readAll(tags: string[]): Promise<void> {
    const { error } = await call(api.readAllPorts({ tags, mode: 'auto' }));
    this.error = error?.message ?? null;
  }

  async setWatch(watching: boolean): Promise<void> {
    const { value, error } = await call(api.setWatch({ watching }));
    if (value) this.watching = value.watching;
    this.error = error?.message ?? null;
  }
}
