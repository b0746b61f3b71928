import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { write } from './database';
import { processAlive, toHolder, type LeaseHolder, type LeaseRow } from './holders';

/**
 * A lease in the database: one holder at a time for a named job (the sync), with an expiry and
 * the holder's pid, so a crashed holder's lease is taken over and a live one is named.
 */
export class Lease {
  private readonly owner = randomUUID();

  constructor(
    private readonly db: Database.Database,
    readonly name: string,
    private readonly label: string,
    private readonly ttlMs: number,
    private readonly alive: (pid: number) => boolean = processAlive,
  ) {}

  /** Takes the lease, or returns who holds it. */
  acquire(now = Date.now()): { ok: true } | { ok: false; holder: LeaseHolder } {
    return write(this.db, (): { ok: true } | { ok: false; holder: LeaseHolder } => {
      const row = this.db.prepare<[string], LeaseRow>('SELECT * FROM leases WHERE name = ?').get(this.name);
      if (row && row.owner !== this.owner && row.expires_at > now && this.alive(row.pid))
        return { ok: false, holder: toHolder(row) };
      this.db
        .prepare(
          `INSERT INTO leases (name, owner, label, pid, expires_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, label = excluded.label, pid = excluded.pid,
               expires_at = excluded.expires_at`,
        )
        .run(this.name, this.owner, this.label, process.pid, now + this.ttlMs);
      return { ok: true };
    });
  }

  /** Extends the lease; false if it was lost (it lapsed and another process took it). */
  renew(now = Date.now()): boolean {
    return write(
      this.db,
      () =>
        this.db
          .prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?')
          .run(now + this.ttlMs, this.name, this.owner).changes === 1,
    );
  }

  /** Gives the lease up; best effort, since a lease not given up lapses with its holder anyway. */
  release(): void {
    try {
      write(this.db, () =>
        this.db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?').run(this.name, this.owner),
      );
    } catch {
      // busy or closed: the expiry and the pid check free it
    }
  }
}
