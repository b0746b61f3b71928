import type { ServiceDevice } from './service-model';

/** One row of a bulk claim and what the response said of it. */
export type RowFate =
  | { fate: 'done'; device: ServiceDevice | null }
  | { fate: 'failed'; message: string }
  /** The response does not say, or says "already claimed": settle with a GET of the device. */
  | { fate: 'unclear'; hint: string | null };

export interface BulkRow {
  deviceId: string;
  token: string;
}

type DeviceParser = (value: unknown) => ServiceDevice | null;

const alreadyClaimed = /already claimed|conflict|\b409\b/i;

function failedRowIndex(item: unknown, rows: BulkRow[]): { index: number; message: string } | null {
  const fallback = 'rejected by the service';
  if (typeof item === 'number') return { index: item - 1, message: fallback };
  if (typeof item === 'string') {
    const index = rows.findIndex((r) => item.includes(r.token));
    return index >= 0 ? { index, message: fallback } : null;
  }
  if (typeof item === 'object' && item !== null) {
    const o = item as Record<string, unknown>;
    const message =
      typeof o.message === 'string' ? o.message : typeof o.error === 'string' ? o.error : fallback;
    const row = o.row ?? o.rowNumber ?? o.line;
    if (typeof row === 'number') return { index: row - 1, message };
    if (typeof row === 'string') {
      const asNumber = Number(row);
      if (Number.isInteger(asNumber) && asNumber > 0) return { index: asNumber - 1, message };
      const index = rows.findIndex((r) => row.includes(r.token));
      return index >= 0 ? { index, message } : null;
    }
    const id =
      typeof o.deviceId === 'string'
        ? o.deviceId.toLowerCase()
        : typeof o.id === 'string'
          ? o.id.toLowerCase()
          : null;
    if (id) {
      const index = rows.findIndex((r) => r.deviceId === id);
      return index >= 0 ? { index, message } : null;
    }
  }
  return null;
}

/**
 * Maps a bulk claim's response back to its rows by device UUID (claimed devices) and row number or
 * row text (failures). Accepts the shapes the spec lists; anything it cannot place is `unclear`.
 */
export function mapBulkResult(
  rows: BulkRow[],
  status: number,
  body: unknown,
  parseDevice: DeviceParser,
): RowFate[] {
  const fates: RowFate[] = rows.map(() => ({ fate: 'unclear', hint: null }));
  if (status === 202 || typeof body !== 'object' || body === null) return fates;
  const o = body as Record<string, unknown>;
  const byId = new Map(rows.map((r, i) => [r.deviceId, i]));

  const deviceList = Array.isArray(o.items)
    ? o.items
    : Array.isArray(o.claimedDevices)
      ? o.claimedDevices
      : [];
  for (const value of deviceList) {
    const device = parseDevice(value);
    const index = device ? byId.get(device.id) : undefined;
    if (device && index !== undefined) fates[index] = { fate: 'done', device };
  }
  if (Array.isArray(o.claimedIds)) {
    for (const id of o.claimedIds) {
      const index = typeof id === 'string' ? byId.get(id.toLowerCase()) : undefined;
      if (index !== undefined && fates[index]?.fate === 'unclear')
        fates[index] = { fate: 'done', device: null };
    }
  }
  if (Array.isArray(o.failed)) {
    for (const item of o.failed) {
      const placed = failedRowIndex(item, rows);
      if (!placed || placed.index < 0 || placed.index >= rows.length || fates[placed.index]?.fate === 'done')
        continue;
      fates[placed.index] = alreadyClaimed.test(placed.message)
        ? { fate: 'unclear', hint: placed.message }
        : { fate: 'failed', message: placed.message };
    }
  }
  return fates;
}
