import { tryParseJson } from '../../core/json';
import type { ServiceDevice } from '../db/devices-repo';

/**
 * The Provisioning API client. Every detail the public documentation does not pin down (marked
 * "assumed" in the spec) lives here: the endpoint table and the defensive response parsers.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What a call came to, in the terms the outbox needs to decide an entry's fate. */
export type ApiOutcome<T> =
  | { kind: 'ok'; value: T; status: number }
  | { kind: 'rejected'; status: 400 | 404 | 409 | 422 | number; message: string; raw: string }
  | { kind: 'auth'; status: 401 | 403; message: string }
  | { kind: 'rate-limited'; retryAfterMs: number | null; message: string }
  | { kind: 'transient'; status: number | null; message: string };

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

const endpoints = {
  claim: () => ({ method: 'POST', path: 'claimed-devices' }),
  getDevice: (id: string) => ({ method: 'GET', path: `claimed-devices/${encodeURIComponent(id)}` }),
  listDevices: (pageLimit: number, pageNextToken: string | null) => {
    const query = new URLSearchParams({ pageLimit: String(pageLimit) });
    if (pageNextToken) query.set('pageNextToken', pageNextToken);
    return { method: 'GET', path: `claimed-devices?${query}` };
  },
} as const;

const asString = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Accepts the documented device object and tolerates missing or extra fields. */
export function parseDevice(value: unknown): ServiceDevice | null {
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Record<string, unknown>;
  const id = asString(o.id) ?? asString(o.deviceId);
  if (!id) return null;
  const blocked = o.blocked === true;
  return {
    id: id.toLowerCase(),
    deviceType: asString(o.deviceType),
    imei: asString(o.imei),
    tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === 'string') : [],
    status: blocked ? 'BLOCKED' : asString(o.status),
    claimedAt: asString(o.claimedAt),
    raw: value,
  };
}

export function parseDevicePage(value: unknown): { items: ServiceDevice[]; next: string | null } {
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const list = Array.isArray(o.items) ? o.items : Array.isArray(value) ? value : [];
  return {
    items: list.map(parseDevice).filter((d): d is ServiceDevice => d !== null),
    next: asString(o.pageNextToken) || null,
  };
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function messageOf(raw: string, status: number): string {
  const body = tryParseJson(raw) as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message) return body.message;
  return raw.trim().slice(0, 300) || `HTTP ${status}`;
}

export class ProvisioningClient {
  private readonly fetch: FetchLike;

  constructor(private readonly options: ClientOptions) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private async call<T>(
    endpoint: { method: string; path: string },
    parse: (body: unknown) => T,
    body?: { contentType: string; text: string },
  ): Promise<ApiOutcome<T>> {
    const url = new URL(endpoint.path, this.options.baseUrl).toString();
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: endpoint.method,
        headers: {
          Authorization: `Bearer ${this.options.apiKey}`,
          'User-Agent': this.options.userAgent,
          Accept: 'application/json',
          ...(body ? { 'Content-Type': body.contentType } : {}),
        },
        body: body?.text,
        // Never follow a redirect: it could carry the Authorization header to another host.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const name = (err as Error).name;
      const what = name === 'TimeoutError' ? 'the request timed out' : (cause ?? (err as Error).message);
      return { kind: 'transient', status: null, message: `Could not reach ${new URL(url).host}: ${what}` };
    }
    const raw = await response.text().catch(() => '');
    const status = response.status;
    if (status >= 200 && status < 300) {
      return { kind: 'ok', value: parse(tryParseJson(raw) ?? null), status };
    }
    const message = messageOf(raw, status);
    if (status === 401) return { kind: 'auth', status, message: `The API key was refused (401): ${message}` };
    if (status === 403) {
      return { kind: 'auth', status, message: `The API key's role may not do this (403): ${message}` };
    }
    if (status === 429) {
      return {
        kind: 'rate-limited',
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        message,
      };
    }
    if (status >= 500 || status === 408)
      return { kind: 'transient', status, message: `HTTP ${status}: ${message}` };
    if (status >= 300 && status < 400) {
      return {
        kind: 'transient',
        status,
        message: `The API answered with a redirect (${status}), which is not followed`,
      };
    }
    return { kind: 'rejected', status, message, raw };
  }

  claim(token: string, tags: string[]): Promise<ApiOutcome<ServiceDevice | null>> {
    const payload = tags.length > 0 ? { claimToken: token, tags } : { claimToken: token };
    return this.call(endpoints.claim(), parseDevice, {
      contentType: 'application/json',
      text: JSON.stringify(payload),
    });
  }

  getDevice(id: string): Promise<ApiOutcome<ServiceDevice | null>> {
    return this.call(endpoints.getDevice(id), parseDevice);
  }

  listDevicesPage(pageLimit: number, next: string | null) {
    return this.call(endpoints.listDevices(pageLimit, next), parseDevicePage);
  }
}
