/** Data shapes that cross the IPC boundary and the CLI's JSON output. Runtime-neutral. */

export const entryStates = ['pending', 'sending', 'done', 'failed'] as const;
export type EntryState = (typeof entryStates)[number];

export const entryKinds = [
  'claim',
  'set-tags',
  'block',
  'unblock',
  'unclaim',
  'tag-create',
  'tag-update',
  'tag-delete',
] as const;
export type EntryKind = (typeof entryKinds)[number];

export const stages = ['prod', 'beta', 'dev'] as const;
export type Stage = (typeof stages)[number];

export const readModes = ['auto', 'at', 'shell', 'passive'] as const;
export type ReadMode = (typeof readModes)[number];

export interface OutboxEntry {
  id: string;
  seq: number;
  kind: EntryKind;
  deviceId: string;
  state: EntryState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  tags: string[];
  imei: string | null;
  /** When an entry held back by back-off is tried again (ms since epoch); null when it is not waiting. */
  nextAttemptAt: number | null;
  /** For a failed entry: what kind of refusal (the hint and whether retrying helps follow from it). */
  failure: FailureKind | null;
}

export const failureKinds = ['claimed-elsewhere', 'invalid-token', 'not-claimed', 'refused'] as const;
export type FailureKind = (typeof failureKinds)[number];

export interface OutboxCounts {
  pending: number;
  sending: number;
  failed: number;
  done: number;
}

/** The most devices one action takes: a selection larger than this is refused when it is made. */
export const MAX_SELECTION = 100_000;

/** The columns the device list can be ordered by. */
export const deviceSorts = ['claimed', 'id', 'imei', 'type', 'status'] as const;
export type DeviceSort = (typeof deviceSorts)[number];

/** What the service says of a claimed device, as this app uses it. */
export interface DeviceFields {
  id: string;
  deviceType: string | null;
  imei: string | null;
  tags: string[];
  status: string | null;
  claimedAt: string | null;
}

export interface ClaimedDevice extends DeviceFields {
  /** Changes queued here that the service has not confirmed yet, oldest first. */
  pending: EntryKind[];
  /** The tag list a queued set-tags will give the device, if one is waiting. */
  pendingTags: string[] | null;
}

export interface ScanResult {
  port: string;
  deviceId: string;
  deviceType: string;
  imei: string | null;
  model: string | null;
  firmware: string | null;
  tags: string[];
  queued: boolean;
  duplicate: boolean;
  /** How the board was read: AT host, Zephyr shell, or its boot print. */
  dialect: 'at' | 'shell' | 'passive';
  warnings: string[];
}

export type TileState = 'waiting' | 'connecting' | 'reading' | 'queued' | 'already-queued' | 'error';

/** One serial port on the station screen, with what its latest read came to. */
export interface PortTile {
  path: string;
  board: string | null;
  serialNumber: string | null;
  console: boolean;
  state: TileState;
  result: ScanResult | null;
  error: string | null;
  /**
   * When the tile's latest read started, or its port appeared (ms since epoch): the station shows
   * the newest first, so a read just started is on top.
   */
  since: number;
  /** When the read in progress started (ms since epoch); null when none runs. */
  startedAt: number | null;
  /** How long the read in progress may take before it gives up (a silent board's case). */
  deadlineMs: number | null;
  /** A path typed by hand that the port list does not show: it stays until dismissed. */
  manual: boolean;
}

/** One read of this session (since the app started, or since "New session"), whatever became of it. */
export interface SessionRead {
  /** Increases with every read of the session: the window tells new outcomes from ones it has seen. */
  id: number;
  /** When the read ended (ISO). */
  at: string;
  port: string;
  board: string | null;
  serialNumber: string | null;
  deviceId: string | null;
  imei: string | null;
  tags: string[];
  outcome: 'queued' | 'duplicate' | 'error';
  error: string | null;
}

/** The station as the window shows it. */
export interface StationView {
  tiles: PortTile[];
  watching: boolean;
  /** Newest first. */
  session: SessionRead[];
}

export interface PortInfo {
  path: string;
  board: string | null;
  serialNumber: string | null;
  vendorId: string | null;
  productId: string | null;
  console: boolean;
}

export type KeyBackend = 'keychain' | 'memory' | 'env';

export interface KeyStatus {
  stored: boolean;
  backend: KeyBackend | null;
  /** Plain words when the key cannot be kept across restarts, or the keychain misbehaved. */
  notice: string | null;
}

export interface Settings {
  stage: Stage;
  /** An explicit API base URL (loopback test servers); null means the stage's host. */
  apiUrl: string | null;
  lineEnding: 'crlf' | 'cr' | 'lf';
  baudRate: number;
  rtscts: boolean;
  timeoutMs: number;
  /** The active site's tags, added to every board read or imported (e.g. location=Trondheim). */
  siteTags: string[];
  /** The local device list is refreshed in the background once it is older than this. */
  refreshHours: number;
  /** Finished entries leave the queue (for the archive the site report reads) after this many days. */
  retentionDays: number;
  /** The desktop app reads each board as it is plugged in (on unless switched off). */
  watch: boolean;
  /** Tags for this session's batch (e.g. batch-7), added after the site's to everything queued. */
  sessionTags: string[];
  /** A sound and a flash of the window for each read's outcome. */
  feedback: boolean;
}

/** A window of the devices matching a query. */
export interface DevicePage {
  rows: ClaimedDevice[];
  offset: number;
  /** How many devices match the query in all. */
  total: number;
  /** The device types and tags present, for the filters: with the first window only (they cost a scan). */
  filters?: { types: string[]; tags: string[] };
}

/** A window of outbox entries matching a state and a search. */
export interface QueuePage {
  rows: OutboxEntry[];
  offset: number;
  total: number;
}

/** Where a refresh of the local device list stands. */
export interface RefreshProgress {
  pages: number;
  devices: number;
  /** The team's device count, when the service says it. */
  total: number | null;
}

/** Requests made to the API by this process, and the bytes of their answers. */
export interface ApiTraffic {
  requests: number;
  bytes: number;
}

export type SyncStopReason =
  | 'no-key'
  | 'key-rejected'
  | 'forbidden'
  | 'offline'
  /** Something other than the API answered: a captive portal, a proxy, a redirect. */
  | 'not-api'
  | 'rate-limited'
  /** The service kept failing (5xx, answers it could not stand behind); entries wait for a retry. */
  | 'server-error'
  /** Another process (the app or a CLI) is syncing this data folder. */
  | 'sync-busy'
  /** The run reached its time bound; what is left goes out on the next sync. */
  | 'time-limit';

export interface SyncSummary {
  sent: number;
  succeeded: number;
  failed: number;
  pending: number;
  devices: number;
  /** Why the sync stopped before the outbox was empty, in words and as a code the UI switches on. */
  stopped: { reason: SyncStopReason; message: string } | null;
}

export interface SyncProgress {
  sent: number;
  total: number;
  current: string | null;
}

export interface AppStatus {
  key: KeyStatus;
  stage: Stage;
  apiBase: string;
  outbox: OutboxCounts;
  devices: number;
  devicesPulledAt: string | null;
  lastSync: SyncSummary | null;
  syncing: boolean;
  /** Whether the API host answered the last time it was asked; null before the first try. */
  online: boolean | null;
  /** The queue is paused by a 429 until this time (ms since epoch). */
  pausedUntil: number | null;
  /** The service refused a change with 403: the key's role can only read. */
  keyReadOnly: boolean;
  /** A refresh of the device list running or left unfinished (it resumes), with how far it got. */
  refresh: (RefreshProgress & { running: boolean }) | null;
  /** What this process has asked of the API since it started. */
  traffic: ApiTraffic;
  /** Entries sent and confirmed since midnight, local time. */
  sentToday: number;
  /** When the last sync ended, whatever started it (ms since epoch); null before the first. */
  lastSyncAt: number | null;
  /**
   * How the API host answered the last check: 'intercepted' is a web page in its place (a captive
   * portal, a proxy's login); null before the first check.
   */
  reachability: 'reachable' | 'unreachable' | 'intercepted' | null;
  /** The active site's tags and the session's, as every read and import applies them. */
  siteTags: string[];
  sessionTags: string[];
}

/** What importing a token file would do, before anything is queued. */
export interface ImportPreview {
  id: string;
  file: string;
  rows: number;
  new: number;
  duplicates: number;
  rejected: number;
  /** Row numbers count every line of the file, header and blank lines included. */
  rejectedRows: Array<{ row: number; reason: string }>;
  /** Rows that add nothing (the first few hundred): repeated in the file, or queued or claimed already. */
  duplicateRows: Array<{ row: number; deviceId: string; reason: string }>;
  notes: string[];
  /** The active site's tags, added to every row. */
  siteTags: string[];
}

export interface ImportResult {
  queued: number;
  duplicates: number;
  rejected: Array<{ row: number; reason: string }>;
  /** What was recognised or changed in the file (its shape, IMEIs dropped), when there is anything to say. */
  notes?: string[];
}

/** Where and when a board's token was read at this station. */
export interface DeviceReadView {
  deviceId: string;
  deviceType: number;
  imei: string | null;
  model: string | null;
  firmware: string | null;
  port: string;
  readAt: string;
}
