import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** A WebContents stand-in that records the handlers the app installs. */
export function fakeWebContents(mainFrameUrl = 'file:///app/out/renderer/index.html') {
  const contents = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const mainFrame = { url: mainFrameUrl };
  let windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  let permissionRequestHandler:
    ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  let permissionCheckHandler: (() => boolean) | null = null;
  Object.assign(contents, {
    mainFrame,
    setWindowOpenHandler: (h: typeof windowOpenHandler) => (windowOpenHandler = h),
    session: {
      setPermissionRequestHandler: (h: typeof permissionRequestHandler) => (permissionRequestHandler = h),
      setPermissionCheckHandler: (h: typeof permissionCheckHandler) => (permissionCheckHandler = h),
    },
    isDestroyed: () => false,
    send: vi.fn(),
  });
  return {
    contents,
    mainFrame,
    openWindow: (url: string) => windowOpenHandler?.({ url }),
    requestPermission: (permission: string) =>
      new Promise<boolean>((resolve) => permissionRequestHandler?.(contents, permission, resolve)),
    checkPermission: () => permissionCheckHandler?.(),
    /** Emits a navigation-like event and says whether the app prevented it. */
    navigate(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url: string): boolean {
      let prevented = false;
      contents.emit(event, { preventDefault: () => (prevented = true) }, url);
      return prevented;
    },
  };
}
