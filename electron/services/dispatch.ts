import type { z } from 'zod';
import { channels, contract, type Channel, type ParsedArgsOf, type ResultOf } from '../shared/contract';
import { CodedError, fail, ok, type ErrorCode, type Result } from '../shared/result';
import type { Fieldclaim } from './fieldclaim';

type Handlers = { [C in Channel]: (args: ParsedArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C> };

function handlersFor(app: Fieldclaim): Handlers {
  return {
    getStatus: () => app.status(),
    getAbout: () => app.about(),
    listPorts: () => app.listPorts(),
    readPort: (args) => app.readPort(args),
    readAllPorts: (args) => app.station.readAll(args),
    getStation: () => ({ tiles: app.station.snapshot(), watching: app.station.isWatching() }),
    setWatch: (args) => {
      if (args.watching) app.station.startWatch({ mode: 'auto' });
      else app.station.stopWatch();
      return { watching: app.station.isWatching() };
    },
    previewImport: (args) => app.previewImport(args.name, Buffer.from(args.base64, 'base64')),
    commitImport: (args) => app.commitImport(args.id, args.tags),
    exportFile: (args) => {
      const { rows, csv } = args.what === 'queue' ? app.exportQueue() : app.siteReport();
      const day = new Date().toISOString().slice(0, 10);
      return {
        rows,
        csv,
        filename: args.what === 'queue' ? `fieldclaim-queue-${day}.csv` : `fieldclaim-site-report-${day}.csv`,
      };
    },
    listQueue: (args) => app.queue(args.state),
    retryEntry: (args) => app.retry(args.id),
    discardEntry: (args) => app.discard(args.id),
    sync: () => app.sync(),
    listDevices: (args) => app.devices(args),
    getDevice: (args) => app.deviceDetail(args.id),
    changeDevices: (args) => app.changes.devicesBatch(args.kind, args.ids),
    setDeviceTags: (args) => app.changes.setTagsBatch(args.ids, args.tags),
    listTags: () => app.tags(),
    createTag: (args) => app.changes.createTag(args.name, args.description),
    updateTag: (args) => app.changes.updateTag(args.name, { to: args.to, description: args.description }),
    deleteTag: (args) => app.changes.deleteTag(args.name),
    setApiKey: (args) => app.setKey(args.key),
    clearApiKey: () => app.clearKey(),
    getSettings: () => app.settings.get(),
    updateSettings: (args) => app.updateSettings(args),
    saveDiagnostics: () => app.diagnostics(),
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
