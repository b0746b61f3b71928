import type { ServiceDevice, ServiceTag } from '../../core/service-model';

/**
 * The service's answers, read defensively (unknown fields kept, alternative shapes accepted) but
 * never credulously: a body without the fields that make it the documented answer is undefined,
 * so a captive portal's `200 {}` cannot pass for an empty device list or a claimed device.
 */

const asString = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The documented device object; tolerates missing optional fields and keeps the rest in raw. */
export function parseDevice(value: unknown): ServiceDevice | null {
  if (!isObject(value) || Array.isArray(value)) return null;
  const id = asString(value.id) ?? asString(value.deviceId);
  if (!id) return null;
  const blocked = value.blocked === true;
  return {
    id: id.toLowerCase(),
    deviceType: asString(value.deviceType),
    imei: asString(value.imei),
    tags: Array.isArray(value.tags) ? value.tags.filter((t): t is string => typeof t === 'string') : [],
    status: blocked ? 'BLOCKED' : asString(value.status),
    claimedAt: asString(value.claimedAt),
    raw: value,
  };
}

export function parseTag(value: unknown): ServiceTag | null {
  if (typeof value === 'string')
    return value ? { id: null, tag: value, description: '', createdAt: null } : null;
  if (!isObject(value)) return null;
  const name = asString(value.tag) ?? asString(value.name);
  if (!name) return null;
  return {
    id: asString(value.id),
    tag: name,
    description: asString(value.description) ?? '',
    createdAt: asString(value.createdAt),
  };
}

/** `{"items": [tag...]}` (or a bare array); anything else is not a tag list. */
export function parseTagList(value: unknown): ServiceTag[] | undefined {
  const list = Array.isArray(value)
    ? value
    : isObject(value) && Array.isArray(value.items)
      ? value.items
      : null;
  return list?.map(parseTag).filter((t): t is ServiceTag => t !== null);
}

/** `{"items": [device...], "total"?: n, "pageNextToken"?: "..."}`; anything else is not a page. */
export function parseDevicePage(
  value: unknown,
): { items: ServiceDevice[]; next: string | null; total: number | null } | undefined {
  if (!isObject(value) || !Array.isArray(value.items)) return undefined;
  return {
    items: value.items.map(parseDevice).filter((d): d is ServiceDevice => d !== null),
    next: asString(value.pageNextToken) || null,
    total: typeof value.total === 'number' ? value.total : null,
  };
}

/**
 * A bulk claim's answer in one of the shapes the spec lists: 200 with claimed devices (`items`,
 * `claimedDevices` or `claimedIds`) and/or `failed`, or the legacy 202 with a request id.
 */
export function documentedBulkAnswer(body: unknown, status: number): unknown {
  if (!isObject(body)) return undefined;
  if (status === 202) return typeof body.bulkOpsRequestId === 'string' ? body : undefined;
  const lists = ['items', 'claimedDevices', 'claimedIds', 'failed'];
  return lists.some((name) => Array.isArray(body[name])) ? body : undefined;
}

/** Retry-After as seconds or an HTTP date, in ms from now; a negative or past value is 0 (the policy clamps). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.max(0, Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
