/// <reference lib="dom" />

/**
 * Runs in the page before its scripts (Playwright addInitScript): builds window.api from the
 * contract's channel names, as the preload does over IPC.
 */
export function installHttpApi(names: { channels: string[]; events: string[] }): void {
  const source = new EventSource('/events');
  // Calls wait until the event stream is live, as IPC listeners are before any call: a snapshot
  // asked for can never be older than the first push that follows it.
  const live = new Promise((resolve) => source.addEventListener('open', resolve, { once: true }));
  const api: Record<string, unknown> = {};
  for (const channel of names.channels) {
    api[channel] = (args: unknown = {}) =>
      live
        .then(() => fetch(`/rpc/${channel}`, { method: 'POST', body: JSON.stringify(args) }))
        .then((r) => r.json());
  }
  api.on = (event: string, listener: (payload: unknown) => void) => {
    const handler = (e: MessageEvent<string>) => listener(JSON.parse(e.data));
    source.addEventListener(event, handler as EventListener);
    return () => source.removeEventListener(event, handler as EventListener);
  };
  (window as unknown as { api: unknown }).api = api;
}
