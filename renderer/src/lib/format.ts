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

/** Tags typed as one comma-separated field. */
export const parseTagField = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
