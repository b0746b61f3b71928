import { formatMoment } from '$shared/format-time';
import type { AppStatus } from '$shared/types';

/**
 * What the status strip says, derived from the one status the main process pushes: whatever
 * started a sync (auto, manual, start-up, resume), its outcome is in `status.lastSync`, so every
 * part of the window reads the same facts and none can contradict another.
 */

export type Connection = 'online' | 'offline' | 'checking' | 'intercepted';

export function connectionOf(status: AppStatus | null): Connection {
  switch (status?.reachability ?? null) {
    case 'reachable':
      return 'online';
    case 'unreachable':
      return 'offline';
    case 'intercepted':
      return 'intercepted';
    default:
      return 'checking';
  }
}

export const connectionWords: Record<Connection, string> = {
  online: 'Online',
  offline: 'Offline',
  checking: 'Checking…',
  intercepted: 'Offline (a web page answers)',
};

export type Screen = 'station' | 'queue' | 'devices' | 'tags' | 'settings';

/** Something the technician should know; `next` says what to do, `link` where to do it. */
export interface Problem {
  id:
    | 'no-key'
    | 'key-rejected'
    | 'read-only'
    | 'not-api'
    | 'rate-limited'
    | 'server-error'
    | 'sync-busy'
    | 'time-limit'
    | 'offline'
    | 'failed';
  tone: 'danger' | 'warning' | 'info';
  text: string;
  next: string;
  link: { screen: Screen; label: string } | null;
}

const settingsLink = { screen: 'settings', label: 'Settings' } as const;

export const waitingOf = (status: AppStatus) => status.outbox.pending + status.outbox.sending;

/**
 * The problems in force, most pressing first. A problem that needs the technician (a refused or
 * read-only key, a captive portal) stays until its cause is gone: it is derived from the status,
 * never from a message that could be dismissed or go stale.
 */
export function problemsOf(status: AppStatus | null, now = Date.now()): Problem[] {
  if (!status) return [];
  const problems: Problem[] = [];
  const stopped = status.lastSync?.stopped ?? null;
  const waiting = waitingOf(status);
  if (!status.key.stored) {
    problems.push({
      id: 'no-key',
      tone: waiting > 0 ? 'danger' : 'warning',
      text: 'No API key',
      next: 'add one in Settings',
      link: settingsLink,
    });
  } else if (stopped?.reason === 'key-rejected') {
    problems.push({
      id: 'key-rejected',
      tone: 'danger',
      text: 'Key refused',
      next: 'enter a new key in Settings',
      link: settingsLink,
    });
  } else if (status.keyReadOnly || stopped?.reason === 'forbidden') {
    problems.push({
      id: 'read-only',
      tone: 'danger',
      text: 'This key can only read (a viewer)',
      next: 'store an editor, admin or owner key in Settings',
      link: settingsLink,
    });
  }
  if (status.reachability === 'intercepted' || stopped?.reason === 'not-api') {
    problems.push({
      id: 'not-api',
      tone: 'danger',
      text: 'A web page answers instead of nRF Cloud',
      next: 'sign in to this network (a captive portal?) in a browser; changes wait meanwhile',
      link: null,
    });
  }
  if (status.pausedUntil !== null && status.pausedUntil > now) {
    problems.push({
      id: 'rate-limited',
      tone: 'warning',
      text: `Rate limited until ${formatMoment(status.pausedUntil, now)}`,
      next: 'changes wait and go out then',
      link: null,
    });
  } else if (stopped?.reason === 'server-error') {
    problems.push({
      id: 'server-error',
      tone: 'warning',
      text: 'nRF Cloud is not answering properly',
      next: stopped.message,
      link: null,
    });
  }
  if (stopped?.reason === 'sync-busy')
    problems.push({
      id: 'sync-busy',
      tone: 'info',
      text: 'Another sync is running',
      next: stopped.message,
      link: null,
    });
  if (stopped?.reason === 'time-limit')
    problems.push({ id: 'time-limit', tone: 'info', text: 'Sync paused', next: stopped.message, link: null });
  if (status.reachability === 'unreachable' && waiting > 0)
    problems.push({
      id: 'offline',
      tone: 'info',
      text: 'Offline',
      next: 'changes wait and go out when nRF Cloud answers',
      link: null,
    });
  if (status.outbox.failed > 0)
    problems.push({
      id: 'failed',
      tone: 'warning',
      text: `${status.outbox.failed} refused by nRF Cloud`,
      next: 'see why in the Queue',
      link: { screen: 'queue', label: 'Queue' },
    });
  const order = { danger: 0, warning: 1, info: 2 };
  return problems.sort((a, b) => order[a.tone] - order[b.tone]);
}

/** The key as the strip names it (never the key itself). */
export function keyWords(status: AppStatus): string {
  if (!status.key.stored) return 'No key';
  if (status.lastSync?.stopped?.reason === 'key-rejected') return 'Key refused';
  if (status.keyReadOnly) return 'Key: read only';
  const where =
    status.key.backend === 'memory'
      ? ' (this run only)'
      : status.key.backend === 'env'
        ? ' (environment)'
        : '';
  return `Key stored${where}`;
}

/** "Last sync 14:02:11: 3 sent, 1 refused" — the date too when it was not today. */
export function lastSyncWords(status: AppStatus, now = Date.now()): string | null {
  if (!status.lastSync || status.lastSyncAt === null) return null;
  const { succeeded, failed } = status.lastSync;
  const parts = [`${succeeded} sent`];
  if (failed) parts.push(`${failed} refused`);
  return `Last sync ${formatMoment(status.lastSyncAt, now)}: ${parts.join(', ')}`;
}
