import { failureAdvice } from '../core/failure-kind';
import type { ClaimedDevice, OutboxEntry, PortInfo, ScanResult, SyncSummary } from '../shared/types';

/** Every sentence the command line prints for people; the JSON output is the contract, this is for reading. */

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatScan(r: ScanResult): string {
  const lines = [
    `${r.duplicate ? 'Already queued' : 'Queued'}: ${r.deviceId} (${r.deviceType})`,
    `  IMEI ${r.imei ?? '?'}  model ${r.model ?? '?'}  firmware ${r.firmware ?? '?'}  port ${r.port}`,
  ];
  if (r.tags.length) lines.push(`  tags ${r.tags.join(', ')}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export const queueLine = (
  e: Pick<OutboxEntry, 'id' | 'kind' | 'deviceId' | 'state' | 'attempts' | 'lastError' | 'failure'>,
) =>
  `${e.id}  ${e.kind.padEnd(9)} ${e.deviceId}  ${e.state.padEnd(7)} attempts ${e.attempts}${e.lastError ? `  ${e.lastError}` : ''}` +
  (e.state === 'failed' && e.failure ? `\n    ${failureAdvice[e.failure].hint}` : '');

export function formatSync(s: SyncSummary): string {
  const line = `Sent ${s.sent}: ${s.succeeded} succeeded, ${s.failed} failed; ${s.pending} still pending; ${s.devices} devices in the local list.`;
  if (!s.stopped) return line;
  // The service's words are the window's; the command line names its own way to store a key.
  const hint = s.stopped.reason === 'no-key' ? `\n${text.storeKey}` : '';
  return `${line}\nStopped: ${s.stopped.message}${hint}`;
}

export const deviceLine = (d: ClaimedDevice) =>
  `${d.id}  ${d.deviceType ?? '?'}  ${d.status ?? '?'}  ${d.imei ?? ''}  ${d.tags.join(',')}${d.pending.length ? `  pending: ${d.pending.join(',')}` : ''}`;

export function formatPorts(ports: PortInfo[]): string {
  if (!ports.length) return 'No serial ports found. Plug in a board, or give a port path to `scan --port`.';
  return ports
    .map((p) => `${p.console ? '*' : ' '} ${p.path}  ${p.board ?? ''} ${p.serialNumber ?? ''}`.trimEnd())
    .join('\n');
}

export function formatTags(tags: Array<{ tag: string; description: string; devices: number }>): string {
  if (!tags.length) return 'No tags. Create one with `fieldclaim tags create NAME`.';
  return tags
    .map((t) => `${t.tag}  (${plural(t.devices, 'device')})${t.description ? `  ${t.description}` : ''}`)
    .join('\n');
}

export function formatImport(
  file: string,
  result: {
    queued: number;
    duplicates: number;
    rejected: Array<{ row: number; reason: string }>;
    notes?: string[];
  },
): string {
  return [
    `Queued ${plural(result.queued, 'claim')}; ${plural(result.duplicates, 'duplicate')}; ${plural(result.rejected.length, 'row')} rejected.`,
    ...(result.notes ?? []).map((note) => `  note: ${note}`),
    ...result.rejected.map((r) => `  ${file}, row ${r.row}: ${r.reason}`),
  ].join('\n');
}

export const text = {
  keyStored: (backend: string, notice: string | null) =>
    `Key stored (${backend}).${notice ? `\n${notice}` : ''}`,
  keyStatus: (stored: boolean, backend: string | null, notice: string | null) =>
    stored ? `A key is stored (${backend}).` : `No key is stored.${notice ? ` ${notice}` : ''}`,
  keyRemoved: 'Key removed.',
  storeKey: 'Store one with `fieldclaim key set < key.txt`, or set FIELDCLAIM_API_KEY.',
  noKeyOnStdin: 'no key on stdin: pipe it in, e.g. `fieldclaim key set < key.txt`',
  oneScanTarget: 'give exactly one of --port PATH, --serial-number SN, --all or --watch',
  watching: 'Watching for boards; plug one in (Ctrl-C stops).',
  watchStopped: (ports: number) => `Stopped; ${plural(ports, 'port')} read.`,
  diagnosticsSaved: (file: string) => `Diagnostics saved to ${file}: send it to support.`,
  exported: (rows: number, file: string, notes: string[] = []) =>
    [`Wrote ${plural(rows, 'row')} to ${file}.`, ...notes.map((n) => `  note: ${n}`)].join('\n'),
  gatherOnlyQueue: '--format gather writes the waiting claims: use it with --what queue',
  cannotWrite: (file: string, why: string) => `Cannot write ${file}: ${why}`,
  requeued: (n: number, stillFailed: number) =>
    `${plural(n, 'entry', 'entries')} back in line.` +
    (stillFailed
      ? ` ${plural(stillFailed, 'entry', 'entries')} stay failed: see \`fieldclaim queue --state failed\` for what to do.`
      : ''),
  retryWhat: 'give an entry id or --all-failed',
  discarded: 'Entry discarded.',
  notDiscarded: 'Nothing discarded: the entry is being sent or is already done.',
  batchTooLarge: '--batch-size: at most 1000 claims per request',
  queuedChange: (kind: string) => `Queued: ${kind}. Run \`fieldclaim sync\` to send it.`,
  emptyQueue: 'The outbox is empty.',
  noDevices: 'No devices match. Run `fieldclaim sync` (or `devices --refresh`) to pull the list.',
  refreshStopped: (message: string) => `The device list was not refreshed: ${message}`,
  wholeNumber: (option: string, value: string, least = 1) =>
    `${option} must be a whole number ${least === 0 ? 'from 0' : 'above 0'}, not "${value}"`,
  syncProgress: (sent: number, total: number, current: string | null) =>
    `\rsync: ${sent}/${total} sent${current ? ` (${current})` : ''}   `,
  importProgress: (fraction: number) => `\rimport: ${Math.round(fraction * 100)}%   `,
};
