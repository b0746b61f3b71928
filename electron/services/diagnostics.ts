import type { LogEntry } from '../adapters/log/diagnostics-log';
import type { AppStatus } from '../shared/types';
import type { About } from './about';

/** Where the app runs, as support needs to know it. */
export interface Runtime {
  os: string;
  node: string;
  electron: string | null;
}

/** Errors shown first in a saved report, then this much of the log as a whole. */
export const REPORT_ERRORS = 50;
export const REPORT_LINES = 500;

const line = (e: LogEntry) => `${e.at}  ${e.level.toUpperCase().padEnd(5)}  ${e.area}: ${e.message}`;

/**
 * The text a technician saves and sends to support: the version, where it runs, how the queue
 * stands, the last errors, then the recent log. Built from the log (already redacted) and the
 * status, which carries no key.
 */
export function formatDiagnostics(input: {
  savedAt: string;
  about: About;
  runtime: Runtime;
  status: AppStatus;
  entries: LogEntry[];
}): string {
  const { about, runtime, status, entries } = input;
  const { outbox } = status;
  const errors = entries.filter((e) => e.level === 'error').slice(-REPORT_ERRORS);
  const sync = status.lastSync;
  return [
    'Fieldclaim diagnostics',
    `Saved: ${input.savedAt}`,
    `Version: ${about.version} (commit ${about.commit})`,
    `Runs on: ${runtime.os}; Node ${runtime.node}${runtime.electron ? `; Electron ${runtime.electron}` : ''}`,
    `Stage: ${status.stage}; API: ${status.apiBase}; online: ${status.online === null ? 'not checked yet' : status.online ? 'yes' : 'no'}`,
    `API key: ${status.key.stored ? `stored (${status.key.backend})` : 'none stored'}${status.keyReadOnly ? ', read-only role' : ''}; the key itself is never in this file`,
    `Outbox: ${outbox.pending} pending, ${outbox.sending} sending, ${outbox.done} done, ${outbox.failed} failed; devices known: ${status.devices} (as of ${status.devicesPulledAt ?? 'never refreshed'})`,
    `API traffic since start: ${status.traffic.requests} requests, ${Math.round(status.traffic.bytes / 1024)} KiB received`,
    `Last sync here: ${sync ? `${sync.succeeded} of ${sync.sent} sent succeeded, ${sync.failed} failed, ${sync.pending} pending${sync.stopped ? `; stopped: ${sync.stopped.message}` : ''}` : 'none since the app started'}`,
    '',
    `Last errors (${errors.length}, newest last)`,
    ...(errors.length ? errors.map(line) : ['none']),
    '',
    `Recent log (${entries.length} lines, newest last)`,
    ...entries.map(line),
    '',
  ].join('\n');
}
