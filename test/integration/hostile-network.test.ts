import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fieldclaim, type FieldclaimOptions } from '../../electron/services/fieldclaim';
import { formatMoment } from '../../electron/shared/format-time';
import { ApiSimulator, type Fault } from '../support/api-sim';
import { runCli } from '../support/cli';
import { queueClaims } from '../support/queue';
import { connectedStation, fastRetries } from '../support/station';
import { tempDir } from '../support/temp-dir';
import { makeToken, type MadeToken } from '../support/tokens';

const KEY = 'hostile-key';
let sim: ApiSimulator;
let station: ReturnType<typeof connectedStation> | null;

beforeEach(async () => {
  sim = await new ApiSimulator().start();
  sim.addKey(KEY);
  station = null;
});
afterEach(async () => {
  station?.close();
  await sim.stop();
});

function openStation(options: Partial<FieldclaimOptions> = {}): Fieldclaim {
  station = connectedStation(sim, KEY, {
    retryPolicy: fastRetries,
    syncMaxWaitMs: 1_000,
    requestTimeoutMs: 2_000,
    ...options,
  });
  return station.app;
}

/** Three devices the team already has, pulled into the local copy while the network was honest. */
async function withKnownDevices(app: Fieldclaim): Promise<void> {
  for (let i = 0; i < 3; i++) sim.preclaim(makeToken().token, 'team-1');
  expect((await app.sync.run()).stopped).toBeNull();
  expect(app.devices.list()).toHaveLength(3);
}

const claimStates = (app: Fieldclaim) =>
  app.queue
    .list()
    .filter((e) => e.kind === 'claim')
    .map((e) => e.state);

/** Back on an honest network: each claim reaches the service exactly once. */
async function honestSyncClaimsOnce(app: Fieldclaim, tokens: MadeToken[]): Promise<void> {
  sim.standing = null;
  const summary = await app.sync.run();
  expect(summary.stopped).toBeNull();
  expect(claimStates(app)).toEqual(tokens.map(() => 'done'));
  for (const t of tokens) {
    expect(sim.effectCount('claim', t.deviceId)).toBe(1);
    expect(sim.effectCount('repeated-claim', t.deviceId)).toBe(0);
  }
}

describe('a captive portal or proxy answering for the API', () => {
  it('a login page with 200 stops the sync at once, saying why; nothing is done and the local copy is kept', async () => {
    const app = openStation();
    await withKnownDevices(app);
    const tokens = [makeToken(), makeToken()];
    queueClaims(station!.dataDir, tokens);
    sim.standing = { kind: 'web-page', status: 200 };
    const before = sim.requests.length;
    const summary = await app.sync.run();
    expect(summary.stopped).toEqual({
      reason: 'not-api',
      message: expect.stringMatching(/web page .*captive portal.*Sign in to the network/),
    });
    expect(summary.succeeded).toBe(0);
    expect(sim.requests.length - before).toBe(1);
    expect(claimStates(app)).toEqual(['pending', 'pending']);
    expect(app.devices.list()).toHaveLength(3);
    expect((await app.status.current()).online).toBe(false);
    await honestSyncClaimsOnce(app, tokens);
  });

  it.each<[string, Fault, string, RegExp]>([
    ['a login page', { kind: 'web-page', status: 200 }, 'not-api', /web page .*captive portal/],
    [
      '200 {}',
      { kind: 'body', status: 200, body: '{}' },
      'server-error',
      /HTTP 200 without the documented answer/,
    ],
  ])(
    'a refresh behind %s stops, saying why, and keeps the local copy as it was',
    async (_name, fault, reason, message) => {
      const app = openStation({ requestTimeoutMs: 300 });
      await withKnownDevices(app);
      const known = app.devices.list().map((d) => d.id);
      sim.standing = fault;
      const { stopped } = await app.sync.refreshNow();
      expect(stopped).toEqual({ reason, message: expect.stringMatching(message) });
      expect(app.devices.list().map((d) => d.id)).toEqual(known);
    },
  );

  it('through the CLI: exit 4 with the reason, the claim still queued, the board not "duplicate" afterwards', async () => {
    const dir = tempDir();
    try {
      const t = makeToken();
      queueClaims(dir.path, [t]);
      sim.standing = { kind: 'web-page', status: 200 };
      const env = { FIELDCLAIM_API_KEY: KEY };
      const sync = await runCli(['--data-dir', dir.path, '--api-url', sim.baseUrl, 'sync', '--json'], {
        env,
      });
      expect(sync.code).toBe(4);
      expect(sync.json).toMatchObject({ succeeded: 0, stopped: { reason: 'not-api' } });
      const queue = await runCli(['--data-dir', dir.path, 'queue', '--json'], { env });
      expect(queue.json).toEqual([expect.objectContaining({ deviceId: t.deviceId, state: 'pending' })]);
      expect(sim.effectCount('claim', t.deviceId)).toBe(0);
    } finally {
      dir.remove();
    }
  });

  it('a redirect to another origin stops the queue at once, naming where it led; the key is never sent there', async () => {
    const elsewhere: string[] = [];
    const other: Server = createServer((req, res) => {
      elsewhere.push(String(req.headers.authorization));
      res.end('welcome');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const app = openStation();
      const tokens = Array.from({ length: 5 }, () => makeToken());
      queueClaims(station!.dataDir, tokens);
      sim.standing = { kind: 'redirect', location: `${origin}/portal?next=api`, status: 307 };
      const started = sim.requests.length;
      const summary = await app.sync.run();
      expect(summary.stopped).toEqual({
        reason: 'not-api',
        message: expect.stringContaining(`redirected to ${origin}`),
      });
      // The dry run that checks the key's role, then the first bulk claim: nothing more.
      expect(sim.requests.length - started).toBeLessThanOrEqual(2);
      expect(elsewhere).toEqual([]);
      await honestSyncClaimsOnce(app, tokens);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('a 2xx is a success only when it is the documented answer', () => {
  const answers: Array<[string, Fault]> = [
    ['200 {}', { kind: 'body', status: 200, body: '{}' }],
    ['an empty 201', { kind: 'body', status: 201, body: '' }],
    ['a 200 whose body never ends', { kind: 'endless' }],
  ];
  it.each(answers)(
    '%s: no claim is marked done, the run ends, the local copy stays',
    async (_name, fault) => {
      for (const count of [1, 3]) {
        sim.standing = null;
        sim.devices.clear();
        const app = openStation({ requestTimeoutMs: 300 });
        await withKnownDevices(app);
        const tokens = Array.from({ length: count }, () => makeToken());
        queueClaims(station!.dataDir, tokens);
        sim.standing = fault;
        const before = sim.requests.length;
        const summary = await app.sync.run();
        expect(summary.succeeded).toBe(0);
        expect(summary.stopped?.reason).toBe('server-error');
        expect(claimStates(app)).toEqual(tokens.map(() => 'pending'));
        // A stretch of fruitless rounds ends the run: a handful of requests, not thousands.
        expect(sim.requests.length - before).toBeLessThan(10 * (count + 1));
        expect(app.devices.list()).toHaveLength(3);
        await honestSyncClaimsOnce(app, tokens);
        station!.close();
        station = null;
      }
    },
  );
});

describe('a lasting outage', () => {
  it.each<[string, Fault, RegExp]>([
    ['an HTML 502 from a proxy', { kind: 'web-page', status: 502 }, /502 from a proxy or gateway/],
    ['503 from the service', { kind: 'status', status: 503 }, /HTTP 503/],
  ])(
    '%s: the run ends after a stretch of failures, saying so; look-ups count as attempts',
    async (_n, fault, says) => {
      const app = openStation();
      const tokens = Array.from({ length: 4 }, () => makeToken());
      queueClaims(station!.dataDir, tokens);
      sim.standing = fault;
      const summary = await app.sync.run();
      expect(summary.stopped).toEqual({
        reason: 'server-error',
        message: expect.stringMatching(
          new RegExp(`failed \\d+ times in a row.*${says.source}.*4 changes wait`),
        ),
      });
      expect(sim.requests.length).toBeLessThan(60);
      // The look-ups after the first send raised the attempts too, so the back-off grew each time.
      const attempts = app.queue.list().map((e) => e.attempts);
      for (const n of attempts) expect(n).toBeGreaterThan(1);
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(3);
      await honestSyncClaimsOnce(app, tokens);
    },
  );

  it('a run that reaches its time bound stops, says what is left, and the next run finishes it', async () => {
    const app = openStation({ syncMaxRunMs: 400 });
    // Four at a time, 150 ms each: about twelve fit in the bound, the rest wait.
    const tokens = Array.from({ length: 24 }, () => makeToken());
    for (const t of tokens) sim.preclaim(t.token, 'team-1');
    for (const t of tokens) app.changes.device('block', t.deviceId);
    sim.latencyMs = 150;
    const summary = await app.sync.run();
    expect(summary.stopped).toEqual({
      reason: 'time-limit',
      message: expect.stringMatching(/time limit; \d+ changes? still wait/),
    });
    expect(summary.pending).toBeGreaterThan(0);
    sim.latencyMs = 0;
    // The same data folder, opened again without a time bound.
    app.close();
    const again = connectedStation(sim, KEY, { dataDir: station!.dataDir, retryPolicy: fastRetries });
    try {
      expect((await again.app.sync.run()).stopped).toBeNull();
    } finally {
      again.close();
    }
    for (const t of tokens) expect(sim.effectCount('block', t.deviceId)).toBe(1);
  });
});

describe('rate limits', () => {
  it.each(['0', '-5'])('Retry-After %s is held to the minimum pause: no tight loop', async (retryAfter) => {
    const app = openStation({ retryPolicy: { ...fastRetries, minRateLimitMs: 250 }, syncMaxWaitMs: 2_000 });
    queueClaims(station!.dataDir, [makeToken(), makeToken()]);
    sim.standing = { kind: 'status', status: 429, retryAfter, when: (r) => r.method === 'POST' };
    const summary = await app.sync.run();
    expect(summary.succeeded).toBe(0);
    const posts = sim.requests.filter((r) => r.method === 'POST' && !r.path.includes('dryrun'));
    expect(posts.length).toBeGreaterThan(1);
    expect(posts.length).toBeLessThanOrEqual(fastRetries.maxFailedRounds + 1);
    for (let i = 1; i < posts.length; i++)
      expect(posts[i]!.at - posts[i - 1]!.at).toBeGreaterThanOrEqual(240);
  });

  it('a pause into another day is shown with its date; a pause of years is cut to the longest allowed', async () => {
    const app = openStation();
    queueClaims(station!.dataDir, [makeToken(), makeToken()]);
    sim.standing = {
      kind: 'status',
      status: 429,
      retryAfter: String(25 * 3600),
      when: (r) => r.method === 'POST',
    };
    const summary = await app.sync.run();
    const until = (await app.status.current()).pausedUntil!;
    expect(until - Date.now()).toBeGreaterThan(24.9 * 3600_000);
    expect(summary.stopped).toEqual({
      reason: 'rate-limited',
      message: expect.stringContaining(`until ${formatMoment(until)}`),
    });
    expect(formatMoment(until)).not.toBe(new Date(until).toLocaleTimeString());

    station!.close();
    const far = openStation();
    queueClaims(station!.dataDir, [makeToken(), makeToken()]);
    sim.standing = {
      kind: 'status',
      status: 429,
      retryAfter: String(10 * 365 * 86400),
      when: (r) => r.method === 'POST',
    };
    expect((await far.sync.run()).stopped?.reason).toBe('rate-limited');
    const farUntil = (await far.status.current()).pausedUntil;
    expect(farUntil).toEqual(expect.any(Number));
    // Cut to the longest pause allowed: neither ten years nor nothing.
    expect(farUntil! - Date.now()).toBeLessThanOrEqual(fastRetries.maxRateLimitMs);
    expect(farUntil! - Date.now()).toBeGreaterThan(fastRetries.maxRateLimitMs - 60_000);
  });
});
