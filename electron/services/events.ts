import type { PortTile, RefreshProgress, SessionRead, SyncProgress } from '../shared/types';

/**
 * What services announce. `changed` says only that something the status derives from changed
 * (the outbox, the key, the settings, the connection): the root recomputes the status and pushes
 * it, so no service calls back up into another.
 */
export interface ServiceEvents {
  changed: undefined;
  /** A new API key was stored: worth a sync attempt now. */
  keyStored: undefined;
  syncProgress: SyncProgress;
  stationChanged: PortTile[];
  sessionChanged: SessionRead[];
  importProgress: { fraction: number };
  refreshProgress: RefreshProgress;
  /** Work was queued (a board read, an import, a change): auto sync waits for a quiet moment, then sends it. */
  workQueued: undefined;
}

type Listener<T> = (payload: T) => void;

/** A small typed event emitter: services emit, the root and the window (or the CLI) listen. */
export class EventBus<E extends object> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as Listener<never>);
    this.listeners.set(event, set);
    return () => void set.delete(listener as Listener<never>);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as Listener<E[K]>)(payload);
  }

  listens(event: keyof E): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}
