import type { SessionRead } from '$shared/types';

export interface SessionSummary {
  queued: number;
  /** Boards whose last read failed: each still needs the technician (retried and read, it no longer does). */
  needHand: number;
  duplicates: number;
}

/** One board: by its USB serial number where known, else by the port it was read on. */
const boardKey = (read: SessionRead) => read.serialNumber ?? `port:${read.port}`;

/** "14 queued · 2 need a hand · 1 duplicate", from the session's reads (newest first). */
export function summarize(reads: readonly SessionRead[]): SessionSummary {
  const readLater = new Set<string>();
  const failing = new Set<string>();
  let queued = 0;
  let duplicates = 0;
  for (const read of reads) {
    const key = boardKey(read);
    if (read.outcome === 'error') {
      if (!readLater.has(key)) failing.add(key);
      continue;
    }
    readLater.add(key);
    if (read.outcome === 'queued') queued++;
    else duplicates++;
  }
  return { queued, needHand: failing.size, duplicates };
}

export function summaryWords(summary: SessionSummary): string {
  return [
    `${summary.queued} queued`,
    `${summary.needHand} ${summary.needHand === 1 ? 'needs' : 'need'} a hand`,
    `${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'}`,
  ].join(' · ');
}

/** The reads that ended since the window last looked (ids only grow), oldest first. */
export function readsAfter(reads: readonly SessionRead[], lastSeenId: number): SessionRead[] {
  return reads.filter((r) => r.id > lastSeenId).reverse();
}
