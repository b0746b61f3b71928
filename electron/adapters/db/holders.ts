import type Database from 'better-sqlite3';

/** Who holds a lease: a description for people ("the desktop app"), the process and when it lapses. */
export interface LeaseHolder {
  name: string;
  label: string;
  pid: number;
  expiresAt: number;
}

export interface LeaseRow {
  name: string;
  owner: string;
  label: string;
  pid: number;
  expires_at: number;
}

export const toHolder = (r: LeaseRow): LeaseHolder => ({
  name: r.name,
  label: r.label,
  pid: r.pid,
  expiresAt: r.expires_at,
});

/** Whether a process on this machine still runs (a killed holder's lease is taken over at once). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leases that still stand: unexpired, held by a process that is alive. */
export function activeLeases(
  db: Database.Database,
  now = Date.now(),
  alive: (pid: number) => boolean = processAlive,
): LeaseHolder[] {
  return db
    .prepare<[number], LeaseRow>('SELECT * FROM leases WHERE expires_at > ?')
    .all(now)
    .filter((r) => alive(r.pid))
    .map(toHolder);
}

const activity = (name: string) =>
  name === 'sync' ? 'syncing' : name.startsWith('import') ? 'importing a file' : 'writing';

/** "the desktop app (pid 812, syncing)" in plain words, or null when nobody holds a lease. */
export function describeLeases(holders: LeaseHolder[]): string | null {
  if (holders.length === 0) return null;
  return holders.map((h) => `${h.label} (pid ${h.pid}, ${activity(h.name)})`).join(' and ');
}
