import { parseTagText, tagText } from '$shared/tags';
import type { PortTile, SessionRead, StationView } from '$shared/types';
import { api, call } from '../api';
import { readTarget, shortId } from '../format';
import { readsAfter, summarize } from '../session';
import { feedback } from './feedback.svelte';
import { notices } from './notices.svelte';

const isFinished = (t: PortTile) =>
  t.state === 'queued' || t.state === 'already-queued' || t.state === 'error';

/**
 * A port shown as a full tile: a board's console, a path typed by hand, or any port with a read
 * going on or done. The rest (a kit's second port, a kit with no nRF91, an adapter nobody knows)
 * is listed compactly, never "waiting for a read" forever.
 */
export const isReadable = (t: PortTile) => t.console || t.manual || t.state !== 'waiting';

/** Where a read's outcome is told: said once, heard once, flashed once. */
function announce(read: SessionRead): void {
  const where = read.board ? `${read.board} on ${read.port}` : read.port;
  if (read.outcome === 'error') {
    notices.say(`Read failed: ${where}. ${read.error ?? ''}`);
    feedback.signal('failure');
  } else if (read.outcome === 'duplicate') {
    notices.say(`Already queued: device ${shortId(read.deviceId ?? '')} (${where}).`);
    feedback.signal('duplicate');
  } else {
    notices.say(`Queued: device ${shortId(read.deviceId ?? '')} (${where}).`);
    feedback.signal('success');
  }
}

/** The station: tiles, the watch, the session's reads and tags; kept live by the main process's pushes. */
export class StationState {
  tiles = $state.raw<PortTile[]>([]);
  session = $state.raw<SessionRead[]>([]);
  watching = $state(true);
  loaded = $state(false);
  /** The "port or serial number" field. */
  target = $state('');
  targetError = $state<string | null>(null);
  /** The session's tags as typed; checked as typed, saved when valid. */
  tagText = $state('');
  /** The saved session tags, as one field's text. */
  private savedTags = '';
  private lastSeenId = 0;
  private tagTimer: ReturnType<typeof setTimeout> | null = null;

  readonly readable = $derived(this.tiles.filter(isReadable));
  readonly others = $derived(this.tiles.filter((t) => !isReadable(t)));
  readonly finished = $derived(this.tiles.filter(isFinished).length);
  readonly summary = $derived(summarize(this.session));
  readonly tagCheck = $derived(parseTagText(this.tagText));
  readonly tagError = $derived(this.tagCheck.ok ? null : this.tagCheck.reason);

  /** Loads the station and subscribes to its changes; returns the cleanup for $effect. */
  connect(): () => void {
    // A push that came while the snapshot was on its way is newer than the snapshot: it stays.
    let tilesPushed = false;
    let sessionPushed = false;
    const offs = [
      api.on('stationChanged', (tiles) => {
        tilesPushed = true;
        this.tiles = tiles;
      }),
      api.on('sessionChanged', (reads) => {
        sessionPushed = true;
        this.took(reads);
      }),
    ];
    void call(api.getStation({})).then(({ value }) => {
      if (!value) return;
      this.watching = value.watching;
      if (!tilesPushed) this.tiles = value.tiles;
      if (!sessionPushed) this.session = value.session;
      // Outcomes from before this window opened are not news.
      this.lastSeenId = value.session[0]?.id ?? 0;
      this.loaded = true;
    });
    return () => offs.forEach((off) => off());
  }

  /** The session tags as the main process has them (on load, and when changed elsewhere). */
  showTags(tags: string[]): void {
    const text = tagText(tags);
    if (text === this.savedTags) return;
    // Never overwrite what the technician is typing: only a field that still shows the old tags.
    if (this.typedTags() === this.savedTags) this.tagText = text;
    this.savedTags = text;
  }

  private typedTags(): string | null {
    return this.tagCheck.ok ? tagText(this.tagCheck.tags) : null;
  }

  private show(view: StationView): void {
    this.tiles = view.tiles;
    this.watching = view.watching;
    this.session = view.session;
  }

  private took(reads: SessionRead[]): void {
    this.session = reads;
    if (reads.length === 0) {
      this.lastSeenId = 0;
      return;
    }
    for (const read of readsAfter(reads, this.lastSeenId)) announce(read);
    this.lastSeenId = Math.max(this.lastSeenId, reads[0]?.id ?? 0);
  }

  /** The tile shows how the read went; the error there is the one to act on. */
  async read(path: string): Promise<void> {
    await this.saveTags();
    const { error } = await call(api.readPort({ port: path, mode: 'auto' }));
    // Refused before the port was touched (no tile tells it): say it here.
    if (error && !this.tiles.some((t) => t.path === path && t.state === 'error'))
      notices.toast(error.message, 'danger');
  }

  /** Reads what was typed: a port path, or the USB serial number on a board's label. */
  async readTyped(): Promise<void> {
    const target = readTarget(this.target);
    this.targetError = null;
    if (!target) {
      this.targetError = 'Type a port path (/dev/ttyACM0, COM3) or a USB serial number';
      return;
    }
    if ('port' in target) return this.read(target.port);
    await this.saveTags();
    const { error } = await call(api.readSerialNumber({ serialNumber: target.serialNumber }));
    // No board has that number, or it is no nRF91: said at the field, where it was typed (a read
    // that went wrong on the board's port is on its tile instead).
    if (
      error &&
      (error.code === 'not-found' || error.code === 'invalid-argument' || /serial number/.test(error.message))
    )
      this.targetError = error.message;
  }

  async readAll(): Promise<void> {
    await this.saveTags();
    const { error } = await call(api.readAllPorts({ mode: 'auto' }));
    if (error) notices.toast(error.message, 'danger');
  }

  async setWatch(watching: boolean): Promise<void> {
    const { value, error } = await call(api.setWatch({ watching }));
    if (value) this.watching = value.watching;
    if (error) notices.toast(error.message, 'danger');
    else notices.say(watching ? 'Watching for new boards.' : 'No longer watching for new boards.');
  }

  async dismiss(path?: string): Promise<void> {
    const { value } = await call(api.dismissTiles(path ? { paths: [path] } : {}));
    if (value) this.show(value);
  }

  async newSession(): Promise<void> {
    const { value } = await call(api.clearSession({}));
    if (value) this.show(value);
    notices.say('A new session: its list of reads is empty.');
  }

  /**
   * Typed into the session's tags: saved a moment after typing stops, so the watch's next read
   * already has them (what the field shows is what reads get).
   */
  editTags(): void {
    if (this.tagTimer) clearTimeout(this.tagTimer);
    this.tagTimer = setTimeout(() => void this.saveTags(), 600);
  }

  /** Saves the session's tags when they keep the rule (checked as typed, and again by the main process). */
  async saveTags(): Promise<void> {
    if (this.tagTimer) clearTimeout(this.tagTimer);
    this.tagTimer = null;
    if (!this.tagCheck.ok || this.typedTags() === this.savedTags) return;
    const tags = this.tagCheck.tags;
    const { error } = await call(api.updateSettings({ sessionTags: tags }));
    if (error) {
      notices.toast(error.message, 'danger');
      return;
    }
    this.savedTags = tagText(tags);
    notices.say(tags.length ? `Tags for this session: ${tags.join(', ')}.` : 'No session tags.');
  }
}

export const stationState = new StationState();
