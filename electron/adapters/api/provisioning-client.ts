import { tryParseJson } from '../../core/json';
import type { ApiOutcome, ServiceDevice, ServiceTag } from '../../core/service-model';
import { withoutSecrets } from '../../core/redact';

/**
 * The Provisioning API client. Every detail the public documentation does not pin down (marked
 * "assumed" in the spec) lives here: the endpoint table and the defensive response parsers.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type { ApiOutcome } from '../../core/service-model';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

const device = (id: string) => `claimed-devices/${encodeURIComponent(id)}`;
const tag = (idOrName: string) => `claimed-devices/tags/${encodeURIComponent(idOrName)}`;

/** Every endpoint, in one table (paths relative to the base URL's /v1/). */
const endpoints = {
  claim: () => ({ method: 'POST', path: 'claimed-devices' }),
  dryRunClaim: () => ({ method: 'POST', path: 'claimed-devices?dryrun=true' }),
  getDevice: (id: string) => ({ method: 'GET', path: device(id) }),
  unclaim: (id: string) => ({ method: 'DELETE', path: device(id) }),
  block: (id: string) => ({ method: 'POST', path: `${device(id)}/block` }),
  unblock: (id: string) => ({ method: 'POST', path: `${device(id)}/unblock` }),
  setTags: (id: string) => ({ method: 'PUT', path: `${device(id)}/tags` }),
  listTags: () => ({ method: 'GET', path: 'claimed-devices/tags' }),
  createTag: () => ({ method: 'POST', path: 'claimed-devices/tags' }),
  updateTag: (idOrName: string) => ({ method: 'PUT', path: tag(idOrName) }),
  deleteTag: (idOrName: string) => ({ method: 'DELETE', path: tag(idOrName) }),
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

export function parseTag(value: unknown): ServiceTag | null {
  if (typeof value === 'string') return { id: null, tag: value, description: '', createdAt: null };
  if (typeof value !== 'object' || value === null) return null;
  const o = value as Record<string, unknown>;
  const name = asString(o.tag) ?? asString(o.name);
  if (!name) return null;
  return {
    id: asString(o.id),
    tag: name,
    description: asString(o.description) ?? '',
    createdAt: asString(o.createdAt),
  };
}

export function parseTagList(value: unknown): ServiceTag[] {
  const list = Array.isArray(value)
    ? value
    : Array.isArray((value as { items?: unknown })?.items)
      ? (value as { items: unknown[] }).items
      : [];
  return list.map(parseTag).filter((t): t is ServiceTag => t !== null);
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

const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL',
]);

const ignoreBody = () => null;

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
      const timedOut = (err as Error).name === 'TimeoutError';
      const what = timedOut ? 'the request timed out' : (cause ?? (err as Error).message);
      return {
        kind: 'transient',
        status: null,
        message: `Could not reach ${new URL(url).host}: ${what}`,
        // Refused or unresolvable: nothing was sent. A reset or a timeout: it may have arrived.
        maybeSent: timedOut || !notSentCodes.has(cause ?? ''),
      };
    }
    const raw = await response.text().catch(() => '');
    const status = response.status;
    if (status >= 200 && status < 300) {
      return { kind: 'ok', value: parse(tryParseJson(raw) ?? null), status };
    }
    // A hostile or careless server may echo the Authorization header: never keep the key.
    const message = withoutSecrets(messageOf(raw, status), [this.options.apiKey]);
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
    if (status >= 500 || status === 408) {
      return { kind: 'transient', status, message: `HTTP ${status}: ${message}`, maybeSent: true };
    }
    if (status >= 300 && status < 400) {
      return {
        kind: 'transient',
        status,
        message: `The API answered with a redirect (${status}), which is not followed`,
        maybeSent: false,
      };
    }
    return { kind: 'rejected', status, message, raw };
  }

  /**
   * Whether the API host answers at all (the OS "online" flag lies behind captive portals and
   * VPNs). Any HTTP status counts; the key is not sent.
   */
  async reachable(): Promise<boolean> {
    try {
      const response = await this.fetch(this.options.baseUrl, {
        method: 'GET',
        headers: { 'User-Agent': this.options.userAgent },
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(this.options.timeoutMs ?? 30_000, 10_000)),
      });
      await response.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether this key may change anything: a dry-run claim of a token that cannot be valid changes
   * nothing, and is refused with 403 only for a read-only (viewer) role.
   */
  async keyMayChange(): Promise<boolean | null> {
    const outcome = await this.call(endpoints.dryRunClaim(), ignoreBody, {
      contentType: 'application/json',
      text: JSON.stringify({ claimToken: 'role-check.not-a-token' }),
    });
    if (outcome.kind === 'auth') return outcome.status === 403 ? false : null;
    return outcome.kind === 'ok' || outcome.kind === 'rejected' ? true : null;
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

  /** Claims many devices in one request; the raw body is mapped to rows by core/bulk-result. */
  bulkClaim(csv: string): Promise<ApiOutcome<unknown>> {
    return this.call(endpoints.claim(), (body) => body, { contentType: 'text/csv', text: csv });
  }

  unclaim(id: string) {
    return this.call(endpoints.unclaim(id), ignoreBody);
  }

  block(id: string) {
    return this.call(endpoints.block(id), ignoreBody);
  }

  unblock(id: string) {
    return this.call(endpoints.unblock(id), ignoreBody);
  }

  setTags(id: string, tags: string[]) {
    return this.call(endpoints.setTags(id), parseDevice, {
      contentType: 'application/json',
      text: JSON.stringify({ tags }),
    });
  }

  listTags() {
    return this.call(endpoints.listTags(), parseTagList);
  }

  createTag(name: string, description: string) {
    return this.call(endpoints.createTag(), parseTag, {
      contentType: 'application/json',
      text: JSON.stringify({ tag: name, description }),
    });
  }

  updateTag(idOrName: string, change: { tag: string; description: string | null }) {
    const body = change.description === null ? { tag: change.tag } : change;
    return this.call(endpoints.updateTag(idOrName), parseTag, {
      contentType: 'application/json',
      text: JSON.stringify(body),
    });
  }

  deleteTag(idOrName: string) {
    return this.call(endpoints.deleteTag(idOrName), ignoreBody);
  }
}
