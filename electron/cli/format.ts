import type { ClaimedDevice, OutboxEntry, ScanResult, SyncSummary } from '../shared/types';

/** Human text for the CLI; the JSON output is the contract, this is for people. */

export function formatScan(r: ScanResult): string {
  const lines = [
    `${r.duplicate ? 'Already queued' : 'Queued'}: ${r.deviceId} (${r.deviceType})`,
    `  IMEI ${r.imei ?? '?'}  model ${r.model ?? '?'}  firmware ${r.firmware ?? '?'}  port ${r.port}`,
  ];
  if (r.tags.length) lines.push(`  tags ${r.tags.join(', ')}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

export function formatQueue(entries: OutboxEntry[]): string {
  if (!entries.length) return 'The outbox is empty.';
  return entries
    .map(
      (e) =>
        `${e.id}  ${e.kind.padEnd(9)} ${e.deviceId}  ${e.state.padEnd(7)} attempts ${e.attempts}${e.lastError ? `  ${e.lastError}` : ''}`,
    )
    .join('\n');
}

export function formatSync(s: SyncSummary): string {
  const line = `Sent ${s.sent}: ${s.succeeded} succeeded, ${s.failed} failed; ${s.pending} still waiting; ${s.devices} devices in the local list.`;
  return s.stopped ? `${line}\nStopped: ${s.stopped.message}` : line;
}

export function formatDevices(devices: ClaimedDevice[]): string {
  if (!devices.length) return 'No devices in the local list. Run `fieldclaim sync` to pull them.';
  return devices
    .map(
      (d) =>
        `${d.id}  ${d.deviceType ?? '?'}  ${d.status ?? '?'}  ${d.imei ?? ''}  ${d.tags.join(',')}${d.pending.length ? `  pending: ${d.pending.join(',')}` : ''}`,
    )
    .join('\n');
}
