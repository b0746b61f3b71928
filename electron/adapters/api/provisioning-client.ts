import { tryParseJson } from '../../core/json';
import { withoutKeys } from '../../core/redact';
import type { ApiOutcome, ServiceDevice, ServiceTag } from '../../core/service-model';
import type { ApiTraffic } from '../../shared/types';
import { describeRedirect, describeWebAnswer, looksLikeWebPage } from '../../core/web-answer';
import {
  documentedBulkAnswer,
  parseDevice,
  parseDevicePage,
  parseRetryAfter,
  parseTag,
  parseTagList,
} from './answers';

/**
 * The Provisioning API client. Every detail the public documentation does not pin down (marked
 * "assumed" in the spec) lives here and in answers.ts: the endpoint table and the parsers that
 * decide whether a 2xx is the documented answer. A 2xx that is not counts as no answer at all.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type { ApiOutcome } from '../../core/service-model';
export { parseDevice, parseDevicePage, parseRetryAfter, parseTag, parseTagList } from './answers';

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Counts every request and the bytes of its answer (as sent: compressed where it was), for diagnostics. */
  traffic?: ApiTraffic;
}

/** A reader turns a 2xx body into the documented answer, or says it is not one (undefined). */
type Reader<T> = (body: unknown, status: number, raw: string) => T | undefined;

/** The largest answer read (a page of 1,000 devices is about 300 KB); a body that never ends stops here. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

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

// ---- what counts as the documented answer -------------------------------------------------------

/** The device object, and the very device asked about. */
const theDevice =
  (id: string | null): Reader<ServiceDevice> =>
  (body) => {
    const parsed = parseDevice(body);
    return parsed && (id === null || parsed.id === id) ? parsed : undefined;
  };

/** 204, or a 200 that is empty or carries the device: anything else (`{}`, a page) is no answer. */
const noContentOr =
  <T>(reader: Reader<T> | null): Reader<T | null> =>
  (body, status, raw) => {
    if (status === 204 || (status === 200 && raw.trim() === '')) return null;
    return reader ? reader(body, status, raw) : undefined;
  };

const noContent: Reader<null> = noContentOr<never>(null);

const theTag =
  (name: string | null): Reader<ServiceTag> =>
  (body) => {
    const parsed = typeof body === 'object' && body !== null ? parseTag(body) : null;
    return parsed && (name === null || parsed.tag === name) ? parsed : undefined;
  };

const anyAnswer: Reader<null> = () => null;

const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL',
]);

function messageOf(raw: string, status: number): string {
  const body = tryParseJson(raw) as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message) return body.message.slice(0, 300);
  return raw.trim().slice(0, 300) || `HTTP ${status}`;
}

/** Reads a body up to a size; rejects when the connection drops or the time runs out mid-body. */
async function readBody(response: Response, onBytes: (n: number) => void = () => undefined): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    onBytes(value.byteLength);
    if (bytes > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new Error(`the answer was larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`);
    }
    text += decoder.decode(value, { stream: true });
  }
}

export type Reachability = 'reachable' | 'unreachable' | 'intercepted';

export class ProvisioningClient {
  private readonly fetch: FetchLike;
  private readonly host: string;

  constructor(private readonly options: ClientOptions) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.host = new URL(options.baseUrl).host;
  }

  /**
   * The URL of an endpoint, or null if resolving it changed the path it was built as: a name such
   * as `..` (which encodeURIComponent leaves alone) would otherwise climb out of its place.
   */
  private urlOf(path: string): string | null {
    const base = new URL(this.options.baseUrl);
    const url = new URL(path, base);
    const [literalPath] = path.split('?') as [string];
    return url.origin === base.origin && url.pathname === base.pathname + literalPath ? url.toString() : null;
  }

  private async call<T>(
    endpoint: { method: string; path: string },
    read: Reader<T>,
    body?: { contentType: string; text: string },
  ): Promise<ApiOutcome<T>> {
    const url = this.urlOf(endpoint.path);
    if (url === null) {
      const message = `"${endpoint.path}" cannot be sent: a name in it would change the request's path`;
      return { kind: 'rejected', status: 0, message, raw: '' };
    }
    const secrets = [this.options.apiKey];
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
      if (this.options.traffic) this.options.traffic.requests++;
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const timedOut = (err as Error).name === 'TimeoutError';
      const what = timedOut ? 'the request timed out' : (cause ?? (err as Error).message);
      return {
        kind: 'transient',
        status: null,
        // The HTTP library's own words can echo a header (a key with a line break in it).
        message: withoutKeys(`Could not reach ${this.host}: ${what}`, secrets),
        // Refused or unresolvable: nothing was sent. A reset or a timeout: it may have arrived.
        maybeSent: timedOut || !notSentCodes.has(cause ?? ''),
      };
    }
    const status = response.status;
    let raw: string;
    let arrived = 0;
    try {
      // Redacted before anything else reads it: no part of a key may be stored, logged or cut in half.
      raw = withoutKeys(await readBody(response, (n) => (arrived += n)), secrets);
    } catch (err) {
      this.count(response, arrived);
      // A body that never ended (or broke off): whatever the status said, nothing was confirmed.
      return {
        kind: 'transient',
        status,
        message: `The answer from ${this.host} (HTTP ${status}) broke off: ${withoutKeys((err as Error).message, secrets)}`,
        maybeSent: true,
      };
    }
    this.count(response, arrived);
    const contentType = response.headers.get('content-type');
    if (status >= 300 && status < 400) {
      return {
        kind: 'not-api',
        status,
        message: describeRedirect(status, this.host, response.headers.get('location')),
        maybeSent: false,
      };
    }
    if (looksLikeWebPage(contentType, raw)) {
      // A gateway's error page may stand for a request it did pass on; a 2xx page is no answer either.
      if (status >= 500) {
        return {
          kind: 'transient',
          status,
          message: `HTTP ${status} from a proxy or gateway (a web page, not the API): the service or the network is down`,
          maybeSent: true,
        };
      }
      return {
        kind: 'not-api',
        status,
        message: describeWebAnswer(status, this.host),
        maybeSent: status < 300,
      };
    }
    if (status >= 200 && status < 300) {
      const value = read(tryParseJson(raw) ?? null, status, raw);
      if (value !== undefined) return { kind: 'ok', value, status };
      return {
        kind: 'transient',
        status,
        message: `${this.host} answered HTTP ${status} without the documented answer (${raw.trim() ? `"${raw.trim().slice(0, 80)}"` : 'an empty body'}): nothing is taken as done until the service confirms it`,
        maybeSent: true,
      };
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
    if (status === 407) {
      return { kind: 'not-api', status, message: describeWebAnswer(status, this.host), maybeSent: false };
    }
    if (status >= 500 || status === 408) {
      return { kind: 'transient', status, message: `HTTP ${status}: ${message}`, maybeSent: true };
    }
    return { kind: 'rejected', status, message, raw };
  }

  /** One request more, and its answer's bytes: as sent (compressed) when the server says, else as arrived. */
  private count(response: Response, arrived: number): void {
    const traffic = this.options.traffic;
    if (!traffic) return;
    const onWire = Number(response.headers.get('content-length'));
    traffic.requests++;
    traffic.bytes += Number.isFinite(onWire) && onWire > 0 ? onWire : arrived;
  }

  /**
   * Whether the API host answers, without the key (the OS "online" flag lies behind captive
   * portals and VPNs). A web page or a redirect means something else answers in its place.
   */
  async reachable(): Promise<Reachability> {
    try {
      const response = await this.fetch(this.options.baseUrl, {
        method: 'GET',
        headers: { 'User-Agent': this.options.userAgent, Accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(Math.min(this.options.timeoutMs ?? 30_000, 10_000)),
      });
      const redirected = response.status >= 300 && response.status < 400;
      const head = redirected ? '' : await readBody(response).catch(() => '');
      return redirected || looksLikeWebPage(response.headers.get('content-type'), head)
        ? 'intercepted'
        : 'reachable';
    } catch {
      return 'unreachable';
    }
  }

  /**
   * Whether this key may change anything: a dry-run claim of a token that cannot be valid changes
   * nothing, and is refused with 403 only for a read-only (viewer) role.
   */
  async keyMayChange(): Promise<boolean | null> {
    const outcome = await this.call(endpoints.dryRunClaim(), anyAnswer, {
      contentType: 'application/json',
      text: JSON.stringify({ claimToken: 'role-check.not-a-token' }),
    });
    if (outcome.kind === 'auth') return outcome.status === 403 ? false : null;
    return outcome.kind === 'ok' || outcome.kind === 'rejected' ? true : null;
  }

  /** Claims one device; the answer must be that very device. */
  claim(token: string, tags: string[], deviceId: string): Promise<ApiOutcome<ServiceDevice>> {
    const payload = tags.length > 0 ? { claimToken: token, tags } : { claimToken: token };
    return this.call(endpoints.claim(), theDevice(deviceId), {
      contentType: 'application/json',
      text: JSON.stringify(payload),
    });
  }

  getDevice(id: string): Promise<ApiOutcome<ServiceDevice>> {
    return this.call(endpoints.getDevice(id), theDevice(id));
  }

  listDevicesPage(pageLimit: number, next: string | null) {
    return this.call(endpoints.listDevices(pageLimit, next), parseDevicePage);
  }

  /** Claims many devices in one request; the rows are mapped back by core/bulk-result. */
  bulkClaim(csv: string): Promise<ApiOutcome<unknown>> {
    return this.call(endpoints.claim(), documentedBulkAnswer, { contentType: 'text/csv', text: csv });
  }

  unclaim(id: string) {
    return this.call(endpoints.unclaim(id), noContent);
  }

  block(id: string) {
    return this.call(endpoints.block(id), noContentOr(theDevice(id)));
  }

  unblock(id: string) {
    return this.call(endpoints.unblock(id), noContentOr(theDevice(id)));
  }

  setTags(id: string, tags: string[]) {
    return this.call(endpoints.setTags(id), theDevice(id), {
      contentType: 'application/json',
      text: JSON.stringify({ tags }),
    });
  }

  listTags() {
    return this.call(endpoints.listTags(), parseTagList);
  }

  createTag(name: string, description: string) {
    return this.call(endpoints.createTag(), theTag(name), {
      contentType: 'application/json',
      text: JSON.stringify({ tag: name, description }),
    });
  }

  updateTag(idOrName: string, change: { tag: string; description: string | null }) {
    const body = change.description === null ? { tag: change.tag } : change;
    return this.call(endpoints.updateTag(idOrName), theTag(change.tag), {
      contentType: 'application/json',
      text: JSON.stringify(body),
    });
  }

  deleteTag(idOrName: string) {
    return this.call(endpoints.deleteTag(idOrName), noContent);
  }
}
