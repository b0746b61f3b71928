/**
 * How many rows match in all, given one window of them: a window that came back short (or empty,
 * past the first) says so itself; only a full one needs the count, a second pass over the table.
 */
export function totalOf(rows: number, offset: number, limit: number, count: () => number): number {
  if (rows < limit && (rows > 0 || offset === 0)) return offset + rows;
  return count();
}
