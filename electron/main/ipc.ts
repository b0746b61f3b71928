import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Dispatch } from '../services/dispatch';
import type { Fieldclaim } from '../services/fieldclaim';
import { channels, eventNames, ipcChannel, ipcEvent } from '../shared/contract';
import { fail } from '../shared/result';

/** A call counts only if it comes from the app's own top frame, not an iframe or a foreign page. */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>,
  isAppUrl: (url: string) => boolean,
): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  return frame === event.sender.mainFrame && isAppUrl(frame.url);
}

/** Registers one handler per contract entry: sender check -> schema parse -> service -> Result. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  dispatch: Dispatch,
  isAppUrl: (url: string) => boolean,
): void {
  for (const channel of channels) {
    ipcMain.handle(ipcChannel(channel), (event, args: unknown) =>
      isTrustedSender(event, isAppUrl)
        ? dispatch(channel, args)
        : Promise.resolve(fail('forbidden', 'calls are accepted only from the Fieldclaim window')),
    );
  }
}

/** Forwards the app's events to a window; returns the cleanup. */
export function forwardEvents(app: Fieldclaim, target: () => WebContents | null): () => void {
  const unsubscribes = eventNames.map((event) =>
    app.on(event, (payload) => {
      const contents = target();
      if (contents && !contents.isDestroyed()) contents.send(ipcEvent(event), payload);
    }),
  );
  return () => unsubscribes.forEach((u) => u());
}
