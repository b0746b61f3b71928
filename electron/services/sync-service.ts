import type { ApiOutcome, ProvisioningClient } from '../adapters/api/provisioning-client';
import type { DevicesRepository, ServiceDevice } from '../adapters/db/devices-repo';
import type { ClaimEntry, OutboxRepository } from '../adapters/db/outbox-repo';
import type { SyncProgress, SyncStopReason, SyncSummary } from '../shared/types';

export type Stop = { reason: SyncStopReason; message: string };

/** What happened to one entry, decided from the API's answer alone. */
export type EntryFate =
  | { fate: 'done'; device: ServiceDevice | null }
  | { fate: 'failed'; message: string }
  | { fate: 'settle'; message: string }
  | { fate: 'stop'; stop: Stop };

/** Why going on cannot help after this answer (or that it is an error of its own, for non-entry calls). */
export function stopFor(outcome: Exclude<ApiOutcome<unknown>, { kind: 'ok' }>): Stop {
  switch (outcome.kind) {
    case 'auth':
      return { reason: outcome.status === 401 ? 'key-rejected' : 'forbidden', message: outcome.message };
    case 'rate-limited':
      return { reason: 'rate-limited', message: `Rate limited by the service: ${outcome.message}` };
    case 'transient':
      return { reason: outcome.status === null ? 'offline' : 'server-error', message: outcome.message };
    case 'rejected':
      return { reason: 'server-error', message: `HTTP ${outcome.status}: ${outcome.message}` };
  }
}

/** The pure decision: how an answer to a claim moves its entry. */
export function claimFate(outcome: ApiOutcome<ServiceDevice | null>): EntryFate {
  switch (outcome.kind) {
    case 'ok':
      return { fate: 'done', device: outcome.value };
    case 'rejected':
      // 409: claimed already, by us or another team: only a GET can tell which.
      return outcome.status === 409
        ? { fate: 'settle', message: outcome.message }
        : { fate: 'failed', message: outcome.message };
    default:
      return { fate: 'stop', stop: stopFor(outcome) };
  }
}

export interface SyncDeps {
  outbox: OutboxRepository;
  devices: DevicesRepository;
  client: ProvisioningClient;
  onProgress?: (progress: SyncProgress) => void;
}

const PAGE_LIMIT = 100;

/**
 * Sends pending claims one by one, then refreshes the local device list. Stops (keeping every
 * entry) at the first sign that going on cannot help: no network, a refused key, rate limiting.
 */
export async function syncOutbox({ outbox, devices, client, onProgress }: SyncDeps): Promise<SyncSummary> {
  const entries = outbox.pendingClaims();
  const summary: SyncSummary = {
    sent: 0,
    succeeded: 0,
    failed: 0,
    pending: 0,
    devices: devices.count(),
    stopped: null,
  };
  onProgress?.({ sent: 0, total: entries.length, current: null });
  for (const entry of entries) {
    onProgress?.({ sent: summary.sent, total: entries.length, current: entry.deviceId });
    const stop = await sendClaim(entry, outbox, devices, client, summary);
    if (stop) {
      summary.stopped = stop;
      break;
    }
  }
  onProgress?.({ sent: summary.sent, total: entries.length, current: null });
  if (!summary.stopped) {
    const pulled = await pullDevices(devices, client);
    if ('stop' in pulled) summary.stopped = pulled.stop;
  }
  const counts = outbox.counts();
  summary.pending = counts.pending + counts.sending;
  summary.devices = devices.count();
  return summary;
}

async function sendClaim(
  entry: ClaimEntry,
  outbox: OutboxRepository,
  devices: DevicesRepository,
  client: ProvisioningClient,
  summary: SyncSummary,
): Promise<Stop | null> {
  outbox.markSending(entry.id);
  let fate = claimFate(await client.claim(entry.payload.token, entry.payload.tags));
  if (fate.fate === 'settle') fate = await settleByLookup(entry.deviceId, fate.message, client);
  switch (fate.fate) {
    case 'done':
      if (fate.device) devices.upsert(fate.device);
      outbox.markDone(entry.id);
      summary.sent++;
      summary.succeeded++;
      return null;
    case 'failed':
      outbox.markFailed(entry.id, fate.message);
      summary.sent++;
      summary.failed++;
      return null;
    case 'stop':
      outbox.markPending(entry.id, fate.stop.message);
      return fate.stop;
    case 'settle':
      throw new Error('unreachable: settled above');
  }
}

/** A device the team can see is ours (success); one it cannot see was claimed by another team. */
async function settleByLookup(
  deviceId: string,
  conflict: string,
  client: ProvisioningClient,
): Promise<EntryFate> {
  const lookup = await client.getDevice(deviceId);
  if (lookup.kind === 'ok') return { fate: 'done', device: lookup.value };
  if (lookup.kind === 'rejected' && lookup.status === 404) {
    return { fate: 'failed', message: `Already claimed by another team (${conflict})` };
  }
  return claimFate(lookup);
}

async function pullDevices(
  devices: DevicesRepository,
  client: ProvisioningClient,
): Promise<{ count: number } | { stop: Stop }> {
  const all: ServiceDevice[] = [];
  let next: string | null = null;
  do {
    const page = await client.listDevicesPage(PAGE_LIMIT, next);
    if (page.kind !== 'ok') return { stop: stopFor(page) };
    all.push(...page.value.items);
    next = page.value.next;
  } while (next);
  devices.replaceAll(all);
  return { count: all.length };
}
