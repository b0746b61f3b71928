import { describe, expect, it, vi } from 'vitest';
import { registerIpc, isTrustedSender } from '../../electron/main/ipc';
import { channels, ipcChannel } from '../../electron/shared/contract';
import { ok } from '../../electron/shared/result';

vi.mock('electron', () => ({}));

type Handler = (event: unknown, args: unknown) => Promise<unknown>;

function register() {
  const handlers = new Map<string, Handler>();
  const dispatch = vi.fn(async (channel: string, args: unknown) => ok({ channel, args }));
  registerIpc(
    { handle: (channel: string, h: Handler) => void handlers.set(channel, h) } as never,
    dispatch,
    (url) => url.startsWith('file:///app/'),
  );
  return { handlers, dispatch };
}

const mainFrame = { url: 'file:///app/out/renderer/index.html' };
const trusted = { sender: { mainFrame }, senderFrame: mainFrame };

describe('IPC registration', () => {
  it('registers exactly one handler per contract entry', () => {
    const { handlers } = register();
    expect([...handlers.keys()].sort()).toEqual(channels.map(ipcChannel).sort());
  });

  it('passes calls from the app window to the dispatcher', async () => {
    const { handlers, dispatch } = register();
    const result = await handlers.get('fieldclaim:readPort')!(trusted, { port: '/dev/ttyACM0' });
    expect(result).toEqual(ok({ channel: 'readPort', args: { port: '/dev/ttyACM0' } }));
    expect(dispatch).toHaveBeenCalledOnce();
  });

  it('refuses calls from a sub-frame or a foreign page, before any logic', async () => {
    const { handlers, dispatch } = register();
    const iframe = { sender: { mainFrame }, senderFrame: { url: 'file:///app/out/renderer/index.html' } };
    const foreign = {
      sender: { mainFrame: { url: 'https://evil.example/' } },
      senderFrame: { url: 'https://evil.example/' },
    };
    for (const event of [iframe, foreign, { sender: { mainFrame }, senderFrame: null }]) {
      expect(await handlers.get('fieldclaim:sync')!(event, {})).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    expect(dispatch).not.toHaveBeenCalled();
    expect(isTrustedSender(trusted as never, () => true)).toBe(true);
  });
});
