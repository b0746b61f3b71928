import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { decode } from 'cbor2';
import Papa from 'papaparse';

/**
 * A local stand-in for nRF Cloud's Provisioning API, following docs/provisioning-api.md.
 * It decodes claim tokens on its own (not with the app's decoder), keeps teams apart, and counts
 * every effect per device so a test can prove a change happened exactly once.
 */

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

export interface SimDevice {
  id: string;
  deviceType: string;
  firmwareId: string;
  imei: string | null;
  ownerId: string;
  ownershipStatus: 'IDENTIFIED';
  tags: string[];
  status: 'READY' | 'BLOCKED';
  claimedAt: string;
  claimedByRole: Role;
}

/**
 * A fault applied to the next request that reaches the server (and matches `when`, if given), or
 * to every request while it is the simulator's `standing` fault (a network that keeps lying).
 */
export type Fault = (
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'apply-then-reset' }
  | { kind: 'redirect'; location: string; status?: number }
  /** What captive portals and proxies send: an HTML page, whatever was asked. */
  | { kind: 'web-page'; status: number }
  /** Exactly this body, e.g. `200 {}`; nothing reaches the service behind. */
  | { kind: 'body'; status: number; body: string; contentType?: string }
  /** A 200 whose body starts and never ends. */
  | { kind: 'endless' }
  /** The request is answered as usual, once `until` settles: to order two answers in a test. */
  | { kind: 'hold'; until: Promise<unknown> }
) & { when?: (request: RecordedRequest) => boolean };

export const loginPage =
  '<!DOCTYPE html><html><head><title>Guest Wi-Fi</title></head><body><form action="/login">Accept the terms to continue</form></body></html>';

/** Matches requests that change something (not reads, not the dry run that checks a key's role). */
export const isChange = (r: RecordedRequest) => r.method !== 'GET' && !r.path.includes('dryrun=true');

/** Matches bulk claim requests, for faults aimed at them. */
export const isBulkClaim = (r: RecordedRequest) =>
  r.method === 'POST' && (r.contentType ?? '').startsWith('text/csv');

/** How the bulk claim answers: the spec lists several shapes a client must accept. */
export type BulkShape = 'items' | 'claimedDevices' | 'claimedIds' | 'legacy-202';

export interface SimTag {
  id: string;
  tag: string;
  description: string;
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** When it arrived (ms since epoch). */
  at: number;
  authorized: boolean;
  userAgent: string | undefined;
  contentType: string | undefined;
}

const deviceTypeNames: Record<number, string> = {
  1: 'nrf9160_SIAA',
  2: 'nrf9160_SIBA',
  3: 'nrf9160_SICA',
  4: 'nrf9161_LACA',
  5: 'nrf9131_LACA',
  6: 'nrf9151_LACA',
};

function uuidOf(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function readClaimToken(token: string): { id: string; deviceType: string; firmwareId: string } | null {
  try {
    const [body, signature] = token.split('.');
    if (!body || !signature || token.split('.').length !== 2) return null;
    const items = decode(new Uint8Array(Buffer.from(body, 'base64url'))) as unknown[];
    decode(new Uint8Array(Buffer.from(signature, 'base64url')));
    const [type, uuid, deviceType, firmware] = items;
    if (type !== 1 || !(uuid instanceof Uint8Array) || !(firmware instanceof Uint8Array)) return null;
    return {
      id: uuidOf(uuid),
      deviceType: deviceTypeNames[deviceType as number] ?? `unknown_${String(deviceType)}`,
      firmwareId: uuidOf(firmware),
    };
  } catch {
    return null;
  }
}

const adminRoles = new Set<Role>(['owner', 'admin']);

export class ApiSimulator {
  readonly devices = new Map<string, SimDevice & { team: string }>();
  readonly keys = new Map<string, { team: string; role: Role }>();
  /** Every Authorization header seen, to prove where a key went. */
  readonly authorizations: string[] = [];
  /** How many times each effect happened, per device: `claim:<id>` and so on. */
  readonly effects = new Map<string, number>();
  readonly requests: RecordedRequest[] = [];
  /** Bytes of the answers' bodies as sent (compressed where the client asked for gzip). */
  bytesSent = 0;
  readonly faults: Fault[] = [];
  readonly tags = new Map<string, SimTag & { team: string }>();
  latencyMs = 0;
  /** Up to this much more latency, at random per request (a real network's jitter). */
  latencyJitterMs = 0;
  /** Applied to every request while set: a captive portal, a lasting outage. */
  standing: Fault | null = null;
  /** The largest device-list page it gives; a larger pageLimit is cut down, or refused when `refuseLargePages`. */
  maxPageLimit = 1000;
  refuseLargePages = false;
  bulkShape: BulkShape = 'items';
  /** Random faults: each request meets one with this probability (0 = off). */
  faultRate = 0;
  randomFaults: Fault[] = [
    { kind: 'status', status: 503 },
    { kind: 'status', status: 429, retryAfter: '0' },
    { kind: 'reset' },
    { kind: 'apply-then-reset' },
  ];
  private nextTagId = 1;
  private server: Server | null = null;
  private port = 0;

  addKey(key: string, team = 'team-1', role: Role = 'admin'): void {
    this.keys.set(key, { team, role });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1/`;
  }

  effectCount(effect: string, deviceId: string): number {
    return this.effects.get(`${effect}:${deviceId}`) ?? 0;
  }

  /** Listens on `port` (0: any free one); a stopped simulator can start again on its old port. */
  async start(port = this.port): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    this.server = null;
  }

  /** Claims a device as if another client had done it earlier (this team's or another's). */
  preclaim(token: string, team: string, role: Role = 'admin'): void {
    const reply = this.claim(JSON.stringify({ claimToken: token }), { team, role });
    if (reply.status !== 201) throw new Error(`preclaim failed: ${JSON.stringify(reply.body)}`);
  }

  private count(effect: string, id: string): void {
    const key = `${effect}:${id}`;
    this.effects.set(key, (this.effects.get(key) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/__stats') return this.sendStats(res);
    if (req.headers.authorization) this.authorizations.push(req.headers.authorization);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const caller = auth ? this.keys.get(auth) : undefined;
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname + url.search,
      at: Date.now(),
      authorized: caller !== undefined,
      userAgent: req.headers['user-agent'],
      contentType: req.headers['content-type'],
    };
    this.requests.push(recorded);
    const latency = this.latencyMs + Math.random() * this.latencyJitterMs;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));

    const standing =
      this.standing && (!this.standing.when || this.standing.when(recorded)) ? this.standing : null;
    const scripted = standing ? -1 : this.faults.findIndex((f) => !f.when || f.when(recorded));
    const fault =
      standing ??
      (scripted >= 0 ? this.faults.splice(scripted, 1)[0] : undefined) ??
      (this.faultRate > 0 && Math.random() < this.faultRate
        ? this.randomFaults[Math.floor(Math.random() * this.randomFaults.length)]
        : undefined);
    if (fault?.kind === 'hold') await fault.until;
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'redirect') {
      res.writeHead(fault.status ?? 307, { Location: fault.location });
      return void res.end();
    }
    if (fault?.kind === 'web-page') {
      res.writeHead(fault.status, { 'Content-Type': 'text/html; charset=utf-8' });
      return void res.end(loginPage);
    }
    if (fault?.kind === 'body') {
      res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'application/json' });
      return void res.end(fault.body);
    }
    if (fault?.kind === 'endless') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"id": "');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {};
      return this.send(res, fault.status, { message: fault.message ?? `Simulated ${fault.status}` }, headers);
    }
    if (!caller) return this.send(res, 401, { message: 'Unauthorized' });

    const reply = this.route(req.method ?? 'GET', url, body, caller, req.headers['content-type']);
    if (fault?.kind === 'apply-then-reset') return void req.socket.destroy();
    this.send(res, reply.status, reply.body, {}, /\bgzip\b/.test(req.headers['accept-encoding'] ?? ''));
  }

  /** What a byte-counting proxy in front would see (for benchmarks; not part of the API). */
  private sendStats(res: ServerResponse): void {
    const list = this.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/claimed-devices?'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ requests: this.requests.length, listRequests: list.length, bytes: this.bytesSent }),
    );
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    gzip = false,
  ): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    // As a real API gateway does: large answers compressed when the client accepts it.
    const compressed = gzip && text.length > 1024 ? gzipSync(text) : null;
    const payload = compressed ?? Buffer.from(text);
    this.bytesSent += payload.length;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(payload.length),
      ...(compressed ? { 'Content-Encoding': 'gzip' } : {}),
      ...headers,
    });
    res.end(payload);
  }

  private visible(device: SimDevice & { team: string }, caller: { team: string; role: Role }): boolean {
    if (device.team !== caller.team) return false;
    // Devices claimed by an admin/owner are not visible to editors and viewers.
    return adminRoles.has(caller.role) || !adminRoles.has(device.claimedByRole);
  }

  /** What the service shows: the device without the simulator's bookkeeping. */
  private publicView({ team: _team, claimedByRole: _role, ...device }: SimDevice & { team: string }) {
    return device;
  }

  private route(
    method: string,
    url: URL,
    body: string,
    caller: { team: string; role: Role },
    contentType?: string,
  ): { status: number; body?: unknown } {
    const path = url.pathname.replace(/^\/v1\//, '');
    const mutating = method !== 'GET';
    if (mutating && caller.role === 'viewer')
      return { status: 403, body: { message: 'Forbidden: viewer role' } };

    if (method === 'POST' && path === 'claimed-devices' && url.searchParams.get('dryrun') === 'true') {
      // A dry run checks the request and the caller's role, and changes nothing.
      const request = JSON.parse(body || '{}') as { claimToken?: unknown };
      const valid = typeof request.claimToken === 'string' && readClaimToken(request.claimToken) !== null;
      return valid ? { status: 202 } : { status: 400, body: { message: 'Invalid attestation token' } };
    }
    if (method === 'POST' && path === 'claimed-devices') {
      return contentType?.startsWith('text/csv') ? this.bulkClaim(body, caller) : this.claim(body, caller);
    }
    if (path === 'claimed-devices/tags' && method === 'GET') {
      return { status: 200, body: { items: this.teamTags(caller.team).map(({ team: _t, ...tag }) => tag) } };
    }
    if (path === 'claimed-devices/tags' && method === 'POST') return this.createTag(body, caller);
    const tagPath = /^claimed-devices\/tags\/([^/]+)$/.exec(path);
    if (tagPath && (method === 'PUT' || method === 'DELETE'))
      return this.changeTag(method, decodeURIComponent(tagPath[1]!), body, caller);
    const action = /^claimed-devices\/([0-9a-f-]{36})(?:\/(block|unblock|tags))?$/.exec(path);
    if (action && (method === 'POST' || method === 'PUT' || method === 'DELETE')) {
      return this.deviceAction(method, action[1]!, action[2], body, caller);
    }
    if (method === 'GET' && path === 'claimed-devices') {
      const asked = Number(url.searchParams.get('pageLimit') ?? 100) || 100;
      if (asked > this.maxPageLimit && this.refuseLargePages)
        return { status: 400, body: { message: `pageLimit must be at most ${this.maxPageLimit}` } };
      const limit = Math.min(asked, this.maxPageLimit);
      const offset = Number(url.searchParams.get('pageNextToken') ?? 0) || 0;
      const all = [...this.devices.values()].filter((d) => this.visible(d, caller));
      const items = all.slice(offset, offset + limit).map((d) => this.publicView(d));
      const next = offset + limit < all.length ? String(offset + limit) : undefined;
      return { status: 200, body: { items, total: all.length, ...(next ? { pageNextToken: next } : {}) } };
    }
    const one = /^claimed-devices\/([0-9a-f-]{36})$/.exec(path);
    if (one && method === 'GET') {
      const device = this.devices.get(one[1]!);
      if (!device || !this.visible(device, caller))
        return { status: 404, body: { message: 'Device not found' } };
      return { status: 200, body: this.publicView(device) };
    }
    return { status: 404, body: { message: `No route ${method} ${path}` } };
  }

  private teamTags(team: string) {
    return [...this.tags.values()].filter((t) => t.team === team);
  }

  private findTag(team: string, idOrName: string) {
    return this.teamTags(team).find((t) => t.id === idOrName || t.tag === idOrName);
  }

  /** Tags must be defined before devices use them. */
  private undefinedTags(team: string, tags: string[]): string[] {
    return tags.filter((t) => !this.findTag(team, t));
  }

  private createTag(body: string, caller: { team: string }): { status: number; body?: unknown } {
    const request = JSON.parse(body || '{}') as { tag?: unknown; description?: unknown };
    if (typeof request.tag !== 'string' || !request.tag)
      return { status: 400, body: { message: 'tag is required' } };
    if (request.tag.length > 100) return { status: 422, body: { message: 'Tag exceeds 100 characters' } };
    if (this.findTag(caller.team, request.tag))
      return { status: 409, body: { message: 'Tag already exists' } };
    const tag = {
      id: `tag-${this.nextTagId++}`,
      tag: request.tag,
      description: typeof request.description === 'string' ? request.description : '',
      createdAt: new Date().toISOString(),
      team: caller.team,
    };
    this.tags.set(tag.id, tag);
    this.count('tag-create', tag.tag);
    const { team: _t, ...publicTag } = tag;
    return { status: 201, body: publicTag };
  }

  private changeTag(
    method: string,
    idOrName: string,
    body: string,
    caller: { team: string },
  ): { status: number; body?: unknown } {
    const tag = this.findTag(caller.team, idOrName);
    if (!tag) return { status: 404, body: { message: 'Tag not found' } };
    const teamDevices = [...this.devices.values()].filter((d) => d.team === caller.team);
    if (method === 'DELETE') {
      this.tags.delete(tag.id);
      for (const d of teamDevices) d.tags = d.tags.filter((t) => t !== tag.tag);
      this.count('tag-delete', tag.tag);
      return { status: 204 };
    }
    const request = JSON.parse(body || '{}') as { tag?: unknown; description?: unknown };
    const newName = typeof request.tag === 'string' && request.tag ? request.tag : tag.tag;
    if (newName.length > 100) return { status: 422, body: { message: 'Tag exceeds 100 characters' } };
    if (newName !== tag.tag && this.findTag(caller.team, newName))
      return { status: 409, body: { message: 'Tag already exists' } };
    for (const d of teamDevices) d.tags = d.tags.map((t) => (t === tag.tag ? newName : t));
    this.count('tag-update', tag.tag);
    tag.tag = newName;
    if (typeof request.description === 'string') tag.description = request.description;
    const { team: _t, ...publicTag } = tag;
    return { status: 200, body: publicTag };
  }

  private deviceAction(
    method: string,
    id: string,
    action: string | undefined,
    body: string,
    caller: { team: string; role: Role },
  ): { status: number; body?: unknown } {
    const device = this.devices.get(id);
    if (!device || !this.visible(device, caller))
      return { status: 404, body: { message: 'Device not found' } };
    if (method === 'DELETE' && !action) {
      this.devices.delete(id);
      this.count('unclaim', id);
      return { status: 204 };
    }
    if (method === 'POST' && (action === 'block' || action === 'unblock')) {
      device.status = action === 'block' ? 'BLOCKED' : 'READY';
      this.count(action, id);
      return { status: 204 };
    }
    if (method === 'PUT' && action === 'tags') {
      const request = JSON.parse(body || '{}') as { tags?: unknown };
      const tags = Array.isArray(request.tags) ? request.tags.map(String) : null;
      if (!tags) return { status: 400, body: { message: 'tags must be an array' } };
      const missing = this.undefinedTags(caller.team, tags);
      if (missing.length) return { status: 422, body: { message: `Undefined tags: ${missing.join(', ')}` } };
      device.tags = tags;
      this.count('set-tags', id);
      return { status: 200, body: this.publicView(device) };
    }
    return { status: 404, body: { message: 'No such action' } };
  }

  /** The bulk format: token in column 1, the tags as one comma-separated field in column 2. */
  private bulkClaim(body: string, caller: { team: string; role: Role }): { status: number; body?: unknown } {
    const rows = Papa.parse<string[]>(body.trim(), { skipEmptyLines: true }).data;
    const claimed: unknown[] = [];
    const failed: Array<{ row: number; message: string }> = [];
    rows.forEach((row, index) => {
      const tags = (row[1] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const reply = this.claim(JSON.stringify({ claimToken: row[0] ?? '', tags }), caller);
      if (reply.status === 201) claimed.push(reply.body);
      else failed.push({ row: index + 1, message: (reply.body as { message: string }).message });
    });
    switch (this.bulkShape) {
      case 'items':
        return { status: 200, body: { items: claimed, failed } };
      case 'claimedDevices':
        return { status: 200, body: { claimedDevices: claimed, failed: failed.map((f) => f.row) } };
      case 'claimedIds':
        return { status: 200, body: { claimedIds: claimed.map((d) => (d as { id: string }).id), failed } };
      case 'legacy-202':
        return { status: 202, body: { bulkOpsRequestId: `bulk-${Date.now()}` } };
    }
  }

  private claim(body: string, caller: { team: string; role: Role }): { status: number; body?: unknown } {
    let request: { claimToken?: unknown; tags?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return { status: 400, body: { message: 'Request body is not JSON' } };
    }
    if (typeof request.claimToken !== 'string')
      return { status: 400, body: { message: 'claimToken is required' } };
    const identity = readClaimToken(request.claimToken);
    if (!identity) return { status: 400, body: { message: 'Invalid attestation token' } };
    const tags = Array.isArray(request.tags) ? request.tags.map(String) : [];
    const long = tags.find((t) => t.length > 100);
    if (long)
      return { status: 422, body: { message: `Tag exceeds 100 characters: ${long.slice(0, 20)}...` } };
    const existing = this.devices.get(identity.id);
    if (existing) {
      // A correct client never repeats a claim that already took effect for its own team.
      if (existing.team === caller.team) this.count('repeated-claim', identity.id);
      return { status: 409, body: { message: 'Device already claimed' } };
    }
    const device = {
      ...identity,
      imei: null,
      ownerId: caller.team,
      ownershipStatus: 'IDENTIFIED' as const,
      tags,
      status: 'READY' as const,
      claimedAt: new Date().toISOString(),
      claimedByRole: caller.role,
      team: caller.team,
    };
    this.devices.set(identity.id, device);
    this.count('claim', identity.id);
    return { status: 201, body: this.publicView(device) };
  }
}
