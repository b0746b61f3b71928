import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode } from 'cbor2';

/**
 * A local stand-in for nRF Cloud's Provisioning API, following ../shared/spec/provisioning-api.md.
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

/** A fault applied to the next request that reaches the server. */
export type Fault =
  | { kind: 'status'; status: number; message?: string; retryAfter?: string }
  | { kind: 'reset' }
  | { kind: 'apply-then-reset' };

export interface RecordedRequest {
  method: string;
  path: string;
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
  /** How many times each effect happened, per device: `claim:<id>` and so on. */
  readonly effects = new Map<string, number>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  latencyMs = 0;
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
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const caller = auth ? this.keys.get(auth) : undefined;
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorized: caller !== undefined,
      userAgent: req.headers['user-agent'],
      contentType: req.headers['content-type'],
    });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const fault = this.faults.shift();
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {};
      return this.send(res, fault.status, { message: fault.message ?? `Simulated ${fault.status}` }, headers);
    }
    if (!caller) return this.send(res, 401, { message: 'Unauthorized' });

    const reply = this.route(req.method ?? 'GET', url, body, caller);
    if (fault?.kind === 'apply-then-reset') return void req.socket.destroy();
    this.send(res, reply.status, reply.body);
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(text);
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
  ): { status: number; body?: unknown } {
    const path = url.pathname.replace(/^\/v1\//, '');
    const mutating = method !== 'GET';
    if (mutating && caller.role === 'viewer')
      return { status: 403, body: { message: 'Forbidden: viewer role' } };

    if (method === 'POST' && path === 'claimed-devices') return this.claim(body, caller);
    if (method === 'GET' && path === 'claimed-devices') {
      const limit = Math.min(Number(url.searchParams.get('pageLimit') ?? 100) || 100, 1000);
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
    if (this.devices.has(identity.id)) return { status: 409, body: { message: 'Device already claimed' } };
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
