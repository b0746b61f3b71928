/**
 * A moment in the future as the technician reads it: the time alone when it is today, with the
 * date when it is not (a 25-hour pause shown as "until 1:40:22 PM" reads as today).
 */
export function formatMoment(ms: number, now = Date.now(), locale?: string): string {
  const at = new Date(ms);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return sameDay
    ? at.toLocaleTimeString(locale)
    : at.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
}
