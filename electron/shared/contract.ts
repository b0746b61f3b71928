import { z } from 'zod';
import type { Result } from './result';
import {
  MAX_SELECTION,
  deviceSorts,
  entryStates,
  readModes,
  stages,
  type AppStatus,
  type EntryKind,
  type ClaimedDevice,
  type DevicePage,
  type DeviceReadView,
  type QueuePage,
  type ImportPreview,
  type ImportResult,
  type KeyStatus,
  type OutboxEntry,
  type PortInfo,
  type PortTile,
  type RefreshProgress,
  type ScanResult,
  type SessionRead,
  type StationView,
  type Settings,
  type SyncProgress,
  type SyncSummary,
} from './types';

/**
 * The one IPC contract. Main registers a handler per entry and parses its arguments with the
 * schema; preload exposes one method per entry; the renderer's `window.api` type derives from it.
 * Every schema is strict: unexpected fields are refused, not ignored.
 */
const returns = <T>() => null as unknown as T;
const noArgs = z.strictObject({});
const text = (max: number) => z.string().max(max);
// Device UUIDs come from modem hardware: any 8-4-4-4-12 hex, not necessarily RFC 4122 versioned.
const deviceId = () => z.guid();
const selection = () => z.array(deviceId()).min(1).max(MAX_SELECTION);
const deviceQuery = z.strictObject({
  search: text(200).optional(),
  tag: text(1000).optional(),
  blocked: z.boolean().optional(),
  type: text(200).optional(),
});

export const contract = {
  getStatus: { args: noArgs, result: returns<AppStatus>() },
  getAbout: {
    args: noArgs,
    result: returns<{ version: string; commit: string; serialSetup: string | null }>(),
  },
  listPorts: { args: noArgs, result: returns<PortInfo[]>() },
  readPort: {
    args: z.strictObject({
      port: text(4096).min(1, 'choose or type a port'),
      tags: z.array(text(1000)).max(100).default([]),
      mode: z.enum(readModes).default('auto'),
    }),
    result: returns<ScanResult>(),
  },
  readAllPorts: {
    args: z.strictObject({
      tags: z.array(text(1000)).max(100).default([]),
      mode: z.enum(readModes).default('auto'),
    }),
    result: returns<Array<ScanResult | { port: string; error: string }>>(),
  },
  getStation: { args: noArgs, result: returns<StationView>() },
  /** Switches the watch on or off; the choice is remembered across restarts. */
  setWatch: {
    args: z.strictObject({ watching: z.boolean() }),
    result: returns<{ watching: boolean }>(),
  },
  /** Reads the board with this USB serial number (as on its label), on its console port. */
  readSerialNumber: {
    args: z.strictObject({
      serialNumber: text(200).trim().min(1, 'type a USB serial number'),
      tags: z.array(text(1000)).max(100).default([]),
      mode: z.enum(readModes).default('auto'),
    }),
    result: returns<ScanResult>(),
  },
  /** Dismisses finished and error tiles: these ports, or every such tile when none are named. */
  dismissTiles: {
    args: z.strictObject({ paths: z.array(text(4096)).max(1000).optional() }),
    result: returns<StationView>(),
  },
  /** Starts a new session: its list of reads and its counts begin again. Nothing queued changes. */
  clearSession: { args: noArgs, result: returns<StationView>() },
  /** A token file picked, dropped or pasted, as base64: checked and counted, nothing queued. */
  previewImport: {
    args: z.strictObject({ name: text(500).min(1), base64: z.base64().max(200_000_000) }),
    result: returns<ImportPreview>(),
  },
  commitImport: {
    args: z.strictObject({ id: z.uuid(), tags: z.array(text(1000)).max(100).default([]) }),
    result: returns<ImportResult>(),
  },
  exportFile: {
    args: z.strictObject({
      what: z.enum(['queue', 'devices']),
      /** For the queue: the service's bulk format, or the gather format Nordic's claim_devices reads. */
      format: z.enum(['bulk', 'gather']).default('bulk'),
    }),
    result: returns<{ rows: number; csv: string; filename: string; notes: string[] }>(),
  },
  retryEntry: {
    args: z.strictObject({ id: z.union([z.uuid(), z.literal('all-failed')]) }),
    result: returns<{ requeued: number; stillFailed: number }>(),
  },
  discardEntry: { args: z.strictObject({ id: z.uuid() }), result: returns<{ discarded: number }>() },
  sync: { args: noArgs, result: returns<SyncSummary>() },
  /** One window of the devices matching a query, and how many match: the screen never holds the whole list. */
  queryDevices: {
    args: deviceQuery.extend({
      ids: z.array(deviceId()).max(1000).optional(),
      sort: z.enum(deviceSorts).default('claimed'),
      descending: z.boolean().default(true),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    result: returns<DevicePage>(),
  },
  /**
   * The UUIDs of every device matching the filters ("select all matching"); with `ids`, those of
   * them that still match (a selection checked after the data changed).
   */
  matchingDeviceIds: {
    args: deviceQuery.extend({ ids: z.array(deviceId()).max(MAX_SELECTION).optional() }),
    result: returns<string[]>(),
  },
  /** The outbox by state and search, a window at a time (the counts of each state come with the status). */
  queryQueue: {
    args: z.strictObject({
      state: z.enum([...entryStates, 'all', 'open']).default('open'),
      search: text(200).optional(),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    result: returns<QueuePage>(),
  },
  /** Refreshes the local device list now (or resumes a pass left unfinished); cancellable. */
  refreshDevices: {
    args: noArgs,
    result: returns<{ cancelled: boolean; stopped: SyncSummary['stopped'] }>(),
  },
  cancelRefresh: { args: noArgs, result: returns<{ cancelled: boolean }>() },
  getDevice: {
    args: z.strictObject({ id: deviceId() }),
    result: returns<{
      device: ClaimedDevice | null;
      raw: unknown;
      reads: DeviceReadView[];
      changes: OutboxEntry[];
    }>(),
  },
  /**
   * An action on a selection. `within`: the filters the selection was made under; only the devices
   * that still match them are changed (`skipped` counts the others), so an action never reaches a
   * device the screen no longer shows.
   */
  changeDevices: {
    args: z.strictObject({
      kind: z.enum(['block', 'unblock', 'unclaim']),
      ids: selection(),
      within: deviceQuery.optional(),
    }),
    result: returns<{ queued: number; unchanged: number; skipped: number }>(),
  },
  setDeviceTags: {
    args: z.strictObject({
      ids: selection(),
      tags: z.array(text(1000)).max(100),
      within: deviceQuery.optional(),
    }),
    result: returns<{ queued: number; skipped: number }>(),
  },
  /** One tag added to (or removed from) each device, its other tags kept. */
  changeDeviceTag: {
    args: z.strictObject({
      op: z.enum(['add', 'remove']),
      ids: selection(),
      tag: text(1000),
      within: deviceQuery.optional(),
    }),
    result: returns<{ queued: number; unchanged: number; skipped: number }>(),
  },
  listTags: { args: noArgs, result: returns<Array<{ tag: string; description: string; devices: number }>>() },
  createTag: {
    args: z.strictObject({ name: text(1000), description: text(1000).default('') }),
    result: returns<{ queued: true; kind: EntryKind }>(),
  },
  updateTag: {
    args: z.strictObject({ name: text(1000), to: text(1000).optional(), description: text(1000).optional() }),
    result: returns<{ queued: true; kind: EntryKind }>(),
  },
  deleteTag: {
    args: z.strictObject({ name: text(1000) }),
    result: returns<{ queued: true; kind: EntryKind }>(),
  },
  /** Write-only: the renderer can hand a key over and learn whether one is stored, never read it back. */
  setApiKey: {
    args: z.strictObject({ key: text(4096).trim().min(1, 'the key is empty') }),
    result: returns<KeyStatus>(),
  },
  clearApiKey: { args: noArgs, result: returns<KeyStatus>() },
  getSettings: { args: noArgs, result: returns<Settings>() },
  updateSettings: {
    args: z.strictObject({
      stage: z.enum(stages).optional(),
      // No apiUrl: the API URL override is for the CLI and development builds, never the window.
      lineEnding: z.enum(['crlf', 'cr', 'lf']).optional(),
      baudRate: z.number().int().min(1200).max(4_000_000).optional(),
      rtscts: z.boolean().optional(),
      timeoutMs: z.number().int().min(100).max(120_000).optional(),
      siteTags: z.array(text(1000)).max(100).optional(),
      refreshHours: z
        .number()
        .min(0.25)
        .max(24 * 7)
        .optional(),
      retentionDays: z.number().int().min(1).max(3650).optional(),
      sessionTags: z.array(text(1000)).max(100).optional(),
      feedback: z.boolean().optional(),
    }),
    result: returns<Settings>(),
  },
  /** The diagnostics report for support: version, system, queue, last errors, recent log. */
  saveDiagnostics: { args: noArgs, result: returns<{ filename: string; text: string }>() },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type ArgsOf<C extends Channel> = z.input<Contract[C]['args']>;
export type ParsedArgsOf<C extends Channel> = z.output<Contract[C]['args']>;
export type ResultOf<C extends Channel> = Contract[C]['result'];

export const channels = Object.keys(contract) as Channel[];

/** Pushed from main to the renderer. */
export interface Events {
  syncProgress: SyncProgress;
  statusChanged: AppStatus;
  stationChanged: PortTile[];
  importProgress: { fraction: number };
  refreshProgress: RefreshProgress;
  /** The session's reads, newest first, whenever one ends or the session starts again. */
  sessionChanged: SessionRead[];
}
export type EventName = keyof Events;
export const eventNames: EventName[] = [
  'syncProgress',
  'statusChanged',
  'stationChanged',
  'importProgress',
  'refreshProgress',
  'sessionChanged',
];

/** IPC channel names are namespaced so nothing else on ipcMain can collide with them. */
export const ipcChannel = (channel: Channel) => `fieldclaim:${channel}`;
export const ipcEvent = (event: EventName) => `fieldclaim:event:${event}`;

export type FieldclaimApi = {
  [C in Channel]: (args: ArgsOf<C>) => Promise<Result<ResultOf<C>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};
