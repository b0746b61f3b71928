/** "2 min ago" where that is kinder than a timestamp; the technician's locale otherwise. */
export function relativeTime(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (Math.abs(seconds) < 60) return rtf.format(-seconds, 'second');
  if (Math.abs(seconds) < 3600) return rtf.format(-Math.round(seconds / 60), 'minute');
  if (Math.abs(seconds) < 86400) return rtf.format(-Math.round(seconds / 3600), 'hour');
  return new Date(iso).toLocaleString();
}

export const shortId = (uuid: string) => uuid.split('-')[0] ?? uuid;

export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** A read's time so far, to the second: "4 s", "1 min 05 s". */
export function seconds(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total} s`;
  return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
}

/**
 * What the technician typed to read a board by hand: a port path (/dev/ttyACM0, COM3,
 * \\.\COM12, /dev/cu.usbmodem…) or, for anything else, the USB serial number on the board's label.
 */
export function readTarget(text: string): { port: string } | { serialNumber: string } | null {
  const typed = text.trim();
  if (!typed) return null;
  if (/[\\/]/.test(typed) || /^COM\d+$/i.test(typed)) return { port: typed };
  return { serialNumber: typed };
}

/** A moment from the service or the outbox in the technician's own time zone and format. */
export const localTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString() : '';
