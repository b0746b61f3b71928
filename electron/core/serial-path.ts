/**
 * What a serial device's path looks like on each platform. A path from outside the main process
 * (the window) must be one of these, or a port the system listed: otherwise a compromised renderer
 * could probe for files and write AT strings to any terminal (another user's /dev/pts/N).
 */
const serialDevicePatterns: Record<string, RegExp[]> = {
  linux: [/^\/dev\/tty(ACM|USB|AMA|S|XRUSB|MFD|GS)\d+$/, /^\/dev\/serial\/by-(id|path)\/[^/]+$/],
  darwin: [/^\/dev\/(cu|tty)\.[\w.-]+$/],
  win32: [/^(\\\\\.\\)?COM\d+$/i],
};

export function looksLikeSerialDevice(path: string, platform: string): boolean {
  return (serialDevicePatterns[platform] ?? []).some((pattern) => pattern.test(path));
}
