import { describe, expect, it, vi } from 'vitest';
import { channels } from '../../electron/shared/contract';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async () => ({ ok: true, value: null }));
const listeners = new Map<string, Set<(...a: unknown[]) => void>>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => invoke(...(args as [])),
    on: (channel: string, l: (...a: unknown[]) => void) =>
      listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)),
    removeListener: (channel: string, l: (...a: unknown[]) => void) => listeners.get(channel)?.delete(l),
  },
}));

await import('../../electron/preload/index');
const api = exposed.api as Record<string, (...a: unknown[]) => unknown>;

describe('the preload', () => {
  it('exposes one method per contract entry, plus on(), and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual([...channels, 'on'].sort());
  });

  it('forwards each call to its namespaced channel with its arguments', async () => {
    for (const channel of channels) {
      invoke.mockClear();
      await api[channel]!({ probe: channel });
      expect(invoke).toHaveBeenCalledWith(`fieldclaim:${channel}`, { probe: channel });
    }
  });

  it('subscriptions deliver the payload only and return an unsubscribe', () => {
    const seen: unknown[] = [];
    const off = api.on!('syncProgress', (p: unknown) => seen.push(p)) as () => void;
    const [listener] = listeners.get('fieldclaim:event:syncProgress')!;
    listener!({ sender: 'ipc-event-object' }, { sent: 1, total: 2, current: null });
    expect(seen).toEqual([{ sent: 1, total: 2, current: null }]);
    off();
    expect(listeners.get('fieldclaim:event:syncProgress')!.size).toBe(0);
  });
});
