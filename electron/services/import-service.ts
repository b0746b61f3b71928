import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import type { TagCheck } from '../core/tags';
import { toBulkCsv } from '../adapters/csv/bulk-csv';
import { toGatherCsv } from '../adapters/csv/gather-csv';
import {
  readTokenBytes,
  readTokenFile,
  type ParsedTokenFile,
  type RejectedRow,
} from '../adapters/csv/token-file';
import {
  claimBatchesOf,
  readTokenFileOnThread,
  type ClaimBatch,
  type StartTokenFileThread,
} from '../adapters/csv/token-file-thread';
import { Lease } from '../adapters/db/lease-repo';
import type { OutboxQueries } from '../adapters/db/outbox-queries';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import type { DiagnosticsLog } from '../adapters/log/diagnostics-log';
import { CodedError } from '../shared/result';
import type { ImportPreview, ImportResult } from '../shared/types';
import type { EventBus, ServiceEvents } from './events';

export interface ImportDeps {
  db: Database.Database;
  outbox: OutboxRepository;
  queries: OutboxQueries;
  /** Tags for every row: the active site's, the session's, then those given for the import. */
  tagsFor: (extra: readonly string[]) => TagCheck;
  log: DiagnosticsLog;
  events: EventBus<ServiceEvents>;
  /** Reads imported files on a worker thread while this one queues them (the CLI's imports). */
  startTokenFileThread?: StartTokenFileThread;
  /** Who this process is, for another process that has to wait for the import's write. */
  processLabel?: string;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

/** Rejected and duplicate rows listed in a preview; the counts are always complete. */
const PREVIEW_LISTED_ROWS = 500;

/**
 * Token files in: a preview (counts, rejected rows with reasons) that writes nothing, then a
 * commit that queues the whole file in one transaction. De-duplication is by device UUID.
 */
export class ImportService {
  private readonly previews = new Map<string, ParsedTokenFile>();
  private readonly outbox: OutboxRepository;

  constructor(private readonly deps: ImportDeps) {
    this.outbox = deps.outbox;
  }

  /**
   * Reads a token file from disk and queues it whole (the CLI); progress as a fraction read. With a
   * worker thread, this thread is busy writing until the file is queued: the desktop app previews
   * and commits instead.
   */
  async importFile(
    path: string,
    tags: string[],
    onProgress?: (fraction: number) => void,
  ): Promise<ImportResult> {
    const start = this.deps.startTokenFileThread;
    let result: ImportResult;
    if (start) {
      const reading = await readTokenFileOnThread(start, path, this.tagsForEveryRow(tags));
      try {
        result = this.whileImporting(() => this.queueBatches(reading, onProgress));
      } finally {
        reading.close();
      }
    } else {
      const parsed = await readTokenFile(path, onProgress);
      result = this.whileImporting(() => this.commit(parsed, tags));
    }
    this.logImport(basename(path), result);
    return result;
  }

  /** A file picked, dropped or pasted in the UI: checked and counted, nothing queued yet. */
  async previewBytes(name: string, bytes: Uint8Array): Promise<ImportPreview> {
    return this.preview(
      await readTokenBytes(bytes, name, (fraction) => this.deps.events.emit('importProgress', { fraction })),
    );
  }

  /** Another process that has to wait for the import's write can say who it waits for. */
  private whileImporting<T>(work: () => T): T {
    const note = new Lease(
      this.deps.db,
      `import:${process.pid}`,
      this.deps.processLabel ?? 'another Fieldclaim',
      600_000,
    );
    note.acquire();
    try {
      return work();
    } finally {
      note.release();
    }
  }

  private logImport(file: string, result: ImportResult): void {
    const rejected = result.rejected.length;
    this.deps.log[rejected ? 'warn' : 'info'](
      'import',
      `${file}: ${result.queued} queued, ${result.duplicates} duplicate, ${rejected} rejected` +
        (rejected ? ` (first: row ${result.rejected[0]!.row}, ${result.rejected[0]!.reason})` : ''),
    );
    this.deps.events.emit('changed', undefined);
    if (result.queued > 0) this.deps.events.emit('workQueued', undefined);
  }

  preview(parsed: ParsedTokenFile): ImportPreview {
    const id = randomUUID();
    // Only the latest preview is kept: a technician imports one file at a time.
    this.previews.clear();
    this.previews.set(id, parsed);
    const earlier = this.outbox.claimStates(parsed.claims.map((c) => c.token.deviceId));
    const firstRow = new Map<string, number>();
    const duplicateRows: ImportPreview['duplicateRows'] = [];
    let fresh = 0;
    for (const c of parsed.claims) {
      const id = c.token.deviceId;
      const state = earlier.get(id);
      const repeats = firstRow.get(id);
      if (repeats === undefined) firstRow.set(id, c.row);
      if (repeats === undefined && state === undefined) {
        fresh++;
        continue;
      }
      if (duplicateRows.length < PREVIEW_LISTED_ROWS)
        duplicateRows.push({
          row: c.row,
          deviceId: id,
          reason:
            repeats !== undefined
              ? `repeats row ${repeats}`
              : state === 'done'
                ? 'claimed from this station already'
                : `already in the queue (${state})`,
        });
    }
    return {
      id,
      file: parsed.name,
      rows: parsed.rows,
      new: fresh,
      duplicates: parsed.claims.length - fresh,
      duplicateRows,
      rejected: parsed.rejected.length,
      rejectedRows: parsed.rejected.slice(0, PREVIEW_LISTED_ROWS),
      notes: parsed.notes,
      siteTags: this.tagsForEveryRow([]),
    };
  }

  commitPreview(id: string, extraTags: string[]): ImportResult {
    const parsed = this.previews.get(id);
    if (!parsed)
      throw new CodedError(
        'not-found',
        'That preview is gone (another file was opened since): open the file again',
      );
    const result = this.whileImporting(() => this.commit(parsed, extraTags));
    this.previews.delete(id);
    this.logImport('a previewed file', result);
    return result;
  }

  /** Site tags and the tags given for this import, checked: added to every row. */
  tagsForEveryRow(extraTags: string[]): string[] {
    const extra = this.deps.tagsFor(extraTags);
    if (!extra.ok) throw new CodedError('invalid-argument', `tags for every row: ${extra.reason}`);
    return extra.tags;
  }

  /** Queues every valid row, all in one transaction; extra and site tags are added to each. */
  commit(parsed: ParsedTokenFile, extraTags: string[]): ImportResult {
    return this.queueBatches(claimBatchesOf(parsed, this.tagsForEveryRow(extraTags)));
  }

  /**
   * The same for a file still being read (on a worker thread, tags already added): each batch is
   * queued as it comes, inside the one transaction.
   */
  queueBatches(batches: Iterable<ClaimBatch>, onProgress?: (fraction: number) => void): ImportResult {
    const rejected: RejectedRow[] = [];
    const notes: string[] = [];
    const counts = this.outbox.enqueueClaimBatches(
      mapIterable(batches, (batch) => {
        for (const r of batch.rejected) rejected.push(r);
        notes.push(...(batch.notes ?? []));
        onProgress?.(batch.progress);
        return batch.claims;
      }),
    );
    return {
      queued: counts.queued,
      duplicates: counts.refreshed + counts['in-flight'] + counts['already-claimed'],
      rejected,
      ...(notes.length ? { notes } : {}),
    };
  }

  private pendingClaims() {
    return [...this.deps.queries.pendingClaims()].map((e) => ({
      entry: e,
      token: (e.payload as { token: string }).token,
    }));
  }

  /** Pending claims in the service's bulk format: valid input for its bulk endpoint and for import. */
  exportQueue(): { rows: number; csv: string } {
    const rows = this.pendingClaims().map(({ entry, token }) => ({ token, tags: entry.tags }));
    return { rows: rows.length, csv: rows.length ? `${toBulkCsv(rows)}\n` : '' };
  }

  /**
   * Pending claims in the gather format (`IMEI,UUID,token,timestamp`, no header), as nrfcloud-utils'
   * gather_attestation_tokens writes it: what Nordic's claim_devices reads, and Fieldclaim's import
   * too. The format has no tags column: a note says how many claims had tags, to give to
   * claim_devices with --provisioning-tags.
   */
  exportQueueGather(): { rows: number; csv: string; notes: string[] } {
    const pending = this.pendingClaims();
    const rows = pending.map(({ entry, token }) => ({
      imei: entry.imei,
      deviceId: entry.deviceId,
      token,
      readAt: entry.createdAt,
    }));
    const tagged = pending.filter(({ entry }) => entry.tags.length > 0);
    const notes = tagged.length
      ? [
          `The gather format has no tags: ${tagged.length} claim(s) had tags (the first: ${tagged[0]!.entry.tags.join(',')}). ` +
            'Give them to claim_devices with --provisioning-tags, or export the bulk format to keep them.',
        ]
      : [];
    return { rows: rows.length, csv: rows.length ? `${toGatherCsv(rows)}\n` : '', notes };
  }
}
