import type { z } from 'zod';
import { channels, contract, type Channel, type ParsedArgsOf, type ResultOf } from '../shared/contract';
import { CodedError, fail, ok, type ErrorCode, type Result } from '../shared/result';
import type { DeviceQuery } from '../adapters/db/devices-repo';
import type { Fieldclaim } from './fieldclaim';
import { checkPortFromWindow } from './port-path';

type Handlers = { [C in Channel]: (args: ParsedArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C> };

/** Each contract entry, answered by the service that owns it. */
function handlersFor(app: Fieldclaim): Handlers {
  const { devices, imports, keys, queue, settings, station, status, sync, changes } = app;
  /** A selection's action on the devices that still match the filters it was made under. */
  const withinView = <R extends { queued: number; skipped?: number }>(
    args: { ids: string[]; within?: DeviceQuery },
    act: (ids: string[]) => R,
  ): R & { skipped: number } => {
    const ids = args.within ? devices.ids({ ...args.within, ids: args.ids }) : args.ids;
    const result = act(ids);
    return { ...result, skipped: args.ids.length - ids.length + (result.skipped ?? 0) };
  };
  return {
    getStatus: () => status.current(),
    getAbout: () => status.about(),
    listPorts: () => station.listPorts(),
    readPort: async (args) => {
      await checkPortFromWindow(args.port, () => station.listPorts());
      return station.read(args);
    },
    readAllPorts: (args) => station.readAll(args),
    getStation: () => station.view(),
    setWatch: (args) => station.setWatch(args.watching),
    readSerialNumber: ({ serialNumber, ...options }) => station.readBySerialNumber(serialNumber, options),
    dismissTiles: (args) => station.dismiss(args.paths),
    clearSession: () => station.clearSession(),
    previewImport: (args) => imports.previewBytes(args.name, Buffer.from(args.base64, 'base64')),
    commitImport: (args) => imports.commitPreview(args.id, args.tags),
    exportFile: (args) => {
      const day = new Date().toISOString().slice(0, 10);
      if (args.what === 'devices')
        return { ...status.siteReport(), filename: `fieldclaim-site-report-${day}.csv`, notes: [] };
      if (args.format === 'gather')
        return { ...imports.exportQueueGather(), filename: `fieldclaim-queue-gather-${day}.csv` };
      return { ...imports.exportQueue(), filename: `fieldclaim-queue-${day}.csv`, notes: [] };
    },
    retryEntry: (args) => queue.retry(args.id),
    discardEntry: (args) => queue.discard(args.id),
    sync: () => sync.run(),
    queryDevices: ({ offset, limit, ...query }) => devices.page(query, offset, limit),
    matchingDeviceIds: (query) => devices.ids(query),
    queryQueue: ({ offset, limit, ...query }) => queue.page(query, offset, limit),
    refreshDevices: () => sync.refreshNow(),
    cancelRefresh: () => sync.cancelRefresh(),
    getDevice: (args) => devices.detail(args.id),
    changeDevices: (args) => withinView(args, (ids) => changes.devicesBatch(args.kind, ids)),
    setDeviceTags: (args) => withinView(args, (ids) => changes.setTagsBatch(ids, args.tags)),
    changeDeviceTag: (args) => withinView(args, (ids) => changes.changeTag(args.op, ids, args.tag)),
    listTags: () => devices.tags(),
    createTag: (args) => changes.createTag(args.name, args.description),
    updateTag: (args) => changes.updateTag(args.name, { to: args.to, description: args.description }),
    deleteTag: (args) => changes.deleteTag(args.name),
    setApiKey: (args) => keys.set(args.key),
    clearApiKey: () => keys.clear(),
    getSettings: () => settings.get(),
    updateSettings: (args) => settings.update(args),
    saveDiagnostics: () => status.diagnostics(),
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
}

export type Dispatch = (channel: string, args: unknown) => Promise<Result<unknown>>;

/**
 * The one entry point for calls from outside the main process (Electron IPC, the test transport):
 * unknown channel or bad arguments -> typed error before any logic runs; thrown errors -> Result.
 */
export function createDispatcher(app: Fieldclaim): Dispatch {
  const handlers = handlersFor(app) as Record<Channel, (args: unknown) => unknown>;
  const known = new Set<string>(channels);
  // Every refusal the technician sees is also in the diagnostics log, for support.
  const failed = (channel: string, code: ErrorCode, message: string): Result<never> => {
    app.log.error(channel.slice(0, 60), `${code}: ${message}`);
    return fail(code, message);
  };
  return async (channel, args) => {
    if (!known.has(channel))
      return failed('dispatch', 'invalid-argument', `unknown call "${String(channel).slice(0, 60)}"`);
    const schema = contract[channel as Channel].args;
    const parsed = schema.safeParse(args ?? {});
    if (!parsed.success) return failed(channel, 'invalid-argument', describeIssues(parsed.error));
    try {
      return ok(await handlers[channel as Channel](parsed.data));
    } catch (err) {
      if (err instanceof CodedError) return failed(channel, err.code, err.message);
      return failed(channel, 'internal', `Unexpected error: ${(err as Error).message ?? String(err)}`);
    }
  };
}
