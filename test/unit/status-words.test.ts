import { describe, expect, it } from 'vitest';
import type { AppStatus, SyncSummary } from '../../electron/shared/types';
import { connectionOf, keyWords, lastSyncWords, problemsOf } from '../../renderer/src/lib/status-words';

const status = (change: Partial<AppStatus> = {}): AppStatus => ({
  key: { stored: true, backend: 'keychain', notice: null },
  stage: 'prod',
  apiBase: 'https://api.provisioning.nrfcloud.com/v1/',
  outbox: { pending: 0, sending: 0, failed: 0, done: 0 },
  devices: 0,
  devicesPulledAt: null,
  lastSync: null,
  syncing: false,
  online: true,
  pausedUntil: null,
  keyReadOnly: false,
  refresh: null,
  traffic: { requests: 0, bytes: 0 },
  sentToday: 0,
  lastSyncAt: null,
  reachability: 'reachable',
  siteTags: [],
  sessionTags: [],
  ...change,
});

const stoppedBy = (reason: NonNullable<SyncSummary['stopped']>['reason'], message = 'why'): SyncSummary => ({
  sent: 0,
  succeeded: 0,
  failed: 0,
  pending: 2,
  devices: 0,
  stopped: { reason, message },
});

const ids = (s: AppStatus, now?: number) => problemsOf(s, now).map((p) => p.id);

describe('the connection the strip shows', () => {
  it('is checking until the API host was asked, and tells a captive portal from no network', () => {
    expect(connectionOf(null)).toBe('checking');
    expect(connectionOf(status({ reachability: null, online: null }))).toBe('checking');
    expect(connectionOf(status({ reachability: 'unreachable', online: false }))).toBe('offline');
    expect(connectionOf(status({ reachability: 'intercepted', online: false }))).toBe('intercepted');
    expect(connectionOf(status())).toBe('online');
  });
});

describe('the problems the strip shows', () => {
  it('are none when everything is fine', () => {
    expect(problemsOf(status())).toEqual([]);
    expect(problemsOf(null)).toEqual([]);
  });

  it('say a refused key, whatever started the sync, with the next step as a link to Settings', () => {
    const [problem] = problemsOf(status({ lastSync: stoppedBy('key-rejected') }));
    expect(problem).toMatchObject({
      id: 'key-rejected',
      tone: 'danger',
      text: 'Key refused',
      next: 'enter a new key in Settings',
      link: { screen: 'settings', label: 'Settings' },
    });
  });

  it('make a missing key a danger only once something waits to go out', () => {
    expect(problemsOf(status({ key: { stored: false, backend: null, notice: null } }))[0]?.tone).toBe(
      'warning',
    );
    expect(
      problemsOf(
        status({
          key: { stored: false, backend: null, notice: null },
          outbox: { pending: 1, sending: 0, failed: 0, done: 0 },
        }),
      )[0]?.tone,
    ).toBe('danger');
  });

  it('name a read-only key, a captive portal, a pause, an outage, another sync and refused entries', () => {
    const now = Date.parse('2026-05-04T10:00:00');
    expect(ids(status({ keyReadOnly: true }))).toEqual(['read-only']);
    expect(ids(status({ lastSync: stoppedBy('forbidden') }))).toEqual(['read-only']);
    expect(ids(status({ reachability: 'intercepted' }))).toEqual(['not-api']);
    expect(ids(status({ lastSync: stoppedBy('not-api') }))).toEqual(['not-api']);
    expect(ids(status({ pausedUntil: now + 60_000 }), now)).toEqual(['rate-limited']);
    expect(ids(status({ pausedUntil: now - 1 }), now)).toEqual([]);
    expect(ids(status({ lastSync: stoppedBy('server-error') }))).toEqual(['server-error']);
    expect(ids(status({ lastSync: stoppedBy('sync-busy') }))).toEqual(['sync-busy']);
    expect(ids(status({ outbox: { pending: 0, sending: 0, failed: 3, done: 0 } }))).toEqual(['failed']);
  });

  it('say until when a 429 holds the queue, with the date when it is not today', () => {
    const now = Date.parse('2026-05-04T10:00:00');
    const today = problemsOf(status({ pausedUntil: now + 3_600_000 }), now)[0]!.text;
    const tomorrow = problemsOf(status({ pausedUntil: now + 25 * 3_600_000 }), now)[0]!.text;
    expect(today).toMatch(/^Rate limited until /);
    expect(tomorrow.length).toBeGreaterThan(today.length);
  });

  it('come most pressing first', () => {
    const tones = problemsOf(
      status({
        lastSync: stoppedBy('key-rejected'),
        reachability: 'unreachable',
        outbox: { pending: 2, sending: 0, failed: 1, done: 0 },
      }),
    ).map((p) => p.tone);
    expect(tones).toEqual(['danger', 'warning', 'info']);
  });

  it('say offline only when something waits for the network', () => {
    expect(ids(status({ reachability: 'unreachable' }))).toEqual([]);
    expect(
      ids(status({ reachability: 'unreachable', outbox: { pending: 1, sending: 0, failed: 0, done: 0 } })),
    ).toEqual(['offline']);
  });
});

describe('the key and the last sync, in words', () => {
  it('never show the key, and say where it is kept when that matters', () => {
    expect(keyWords(status())).toBe('Key stored');
    expect(keyWords(status({ key: { stored: true, backend: 'memory', notice: null } }))).toBe(
      'Key stored (this run only)',
    );
    expect(keyWords(status({ key: { stored: false, backend: null, notice: null } }))).toBe('No key');
    expect(keyWords(status({ lastSync: stoppedBy('key-rejected') }))).toBe('Key refused');
  });

  it('give the last sync its time and what it sent', () => {
    expect(lastSyncWords(status())).toBeNull();
    const at = Date.parse('2026-05-04T10:00:00');
    const words = lastSyncWords(
      status({
        lastSyncAt: at,
        lastSync: { ...stoppedBy('offline'), stopped: null, succeeded: 3, failed: 1 },
      }),
      at,
    );
    expect(words).toMatch(/^Last sync .+: 3 sent, 1 refused$/);
  });
});
