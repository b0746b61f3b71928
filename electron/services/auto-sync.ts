/** What auto sync needs from the app. */
export interface AutoSyncTarget {
  /** Talks to the API host; true if it answered. */
  probe(): Promise<boolean>;
  sync(): Promise<{ succeeded: number; failed: number; stopped: { reason: string } | null }>;
  /** Entries waiting to go out (pending, not failed). */
  hasWork(): boolean;
  /** The earliest time (ms since epoch) an entry or the rate-limit pause becomes due, if any. */
  nextDueAt(): number | null;
  setOnline(online: boolean): void;
  /** A check went wrong (kept for support; the next check tries again). */
  failed(message: string): void;
}

export interface AutoSyncOptions {
  /** How often to look for the network while offline, and to refresh the online flag while idle. */
  probeIntervalMs: number;
  /** After work is queued, how long no more may come before a sync starts (a bag of boards read one by one). */
  quietMs?: number;
  /** The longest a sync waits for that quiet moment. */
  quietMaxMs?: number;
  /** The longest wait between tries while syncs keep failing (default 10 minutes). */
  maxBackoffMs?: number;
}

/** Stops that mean the service, or what answers in its place, is failing: try again less and less often. */
const troubledStops = new Set(['server-error', 'not-api', 'time-limit', 'sync-busy']);

/**
 * Syncs on its own: when the API host becomes reachable, when a backoff or rate-limit pause ends,
 * and when poked (resume from sleep, a network change). Reachability is a request to the host.
 */
export class AutoSync {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private again = false;
  private stopped = true;
  /** Syncs in a row that stopped in trouble without settling anything. */
  private troubled = 0;
  /** When the first of a burst of queued work came, while a sync waits for the burst to end. */
  private burstSince: number | null = null;

  constructor(
    private readonly target: AutoSyncTarget,
    private readonly options: AutoSyncOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.poke();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Work was queued: check once none has come for a quiet moment (each new board read restarts the
   * wait), but never later than the longest wait after the first. One sync per burst, not per board.
   */
  pokeSoon(now = Date.now()): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.burstSince ??= now;
    const quiet = this.options.quietMs ?? 3_000;
    const latest = this.burstSince + (this.options.quietMaxMs ?? 15_000);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.check();
      },
      Math.max(0, Math.min(now + quiet, latest) - now),
    );
  }

  /** Checks now (coalesced with a check already running); a poke (resume, new key) starts afresh. */
  poke(): void {
    if (this.stopped) return;
    this.troubled = 0;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.check();
  }

  private async check(): Promise<void> {
    this.running = true;
    this.burstSince = null;
    let delay = this.options.probeIntervalMs;
    try {
      const online = await this.target.probe();
      // Stopped (the app closing) while the probe was out: the app may be gone.
      if (this.stopped) return;
      this.target.setOnline(online);
      let floor = 0;
      if (online && this.target.hasWork()) {
        const summary = await this.target.sync();
        const settledNothing = summary.succeeded + summary.failed === 0;
        this.troubled =
          summary.stopped && troubledStops.has(summary.stopped.reason) && settledNothing
            ? this.troubled + 1
            : 0;
        // The same back-off as the outbox's: each troubled sync doubles the wait before the next.
        if (this.troubled > 0)
          floor = Math.min(
            this.options.maxBackoffMs ?? 10 * 60_000,
            this.options.probeIntervalMs * 2 ** (this.troubled - 1),
          );
      }
      const due = this.target.nextDueAt();
      if (online && due !== null) delay = Math.min(delay, Math.max(0, due - Date.now()));
      delay = Math.max(delay, floor);
    } catch (err) {
      if (!this.stopped) this.target.failed((err as Error).message);
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      delay = 0;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check();
    }, delay);
  }
}
