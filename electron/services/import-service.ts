import { randomUUID } from 'node:crypto';
import { normalizeTags } from '../core/tags';
import { toBulkCsv } from '../adapters/csv/bulk-csv';
import type { ParsedTokenFile } from '../adapters/csv/token-file';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import { CodedError } from '../shared/result';
import type { ImportPreview, ImportResult } from '../shared/types';

/** Rejected rows shown in a preview; the count is always complete. */
const PREVIEW_REJECTED_ROWS = 500;

/**
 * Token files in: a preview (counts, rejected rows with reasons) that writes nothing, then a
 * commit that queues the whole file in one transaction. De-duplication is by device UUID.
 */
export class ImportService {
  private readonly previews = new Map<string, ParsedTokenFile>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly siteTags: () => string[],
  ) {}

  preview(parsed: ParsedTokenFile): ImportPreview {
    const id = randomUUID();
    // Only the latest preview is kept: a technician imports one file at a time.
    this.previews.clear();
    this.previews.set(id, parsed);
    const inQueue = this.outbox.devicesWithClaim(parsed.claims.map((c) => c.token.deviceId));
    const seen = new Set<string>();
    let fresh = 0;
    for (const c of parsed.claims) {
      if (!seen.has(c.token.deviceId) && !inQueue.has(c.token.deviceId)) fresh++;
      seen.add(c.token.deviceId);
    }
    return {
      id,
      file: parsed.name,
      rows: parsed.rows,
      new: fresh,
      duplicates: parsed.claims.length - fresh,
      rejected: parsed.rejected.length,
      rejectedRows: parsed.rejected.slice(0, PREVIEW_REJECTED_ROWS),
      notes: parsed.notes,
      siteTags: this.siteTags(),
    };
  }

  commitPreview(id: string, extraTags: string[]): ImportResult {
    const parsed = this.previews.get(id);
    if (!parsed)
      throw new CodedError(
        'not-found',
        'That preview is gone (another file was opened since): open the file again',
      );
    const result = this.commit(parsed, extraTags);
    this.previews.delete(id);
    return result;
  }

  /** Queues every valid row, all in one transaction; extra and site tags are added to each. */
  commit(parsed: ParsedTokenFile, extraTags: string[]): ImportResult {
    const extra = normalizeTags([...this.siteTags(), ...extraTags]);
    if (!extra.ok) throw new CodedError('invalid-argument', `tags for every row: ${extra.reason}`);
    const counts = this.outbox.enqueueClaims(
      parsed.claims.map((c) => {
        // Rows were checked when parsed; only added tags need merging (and de-duplicating).
        const tags = extra.tags.length ? [...new Set([...c.tags, ...extra.tags])] : c.tags;
        return { deviceId: c.token.deviceId, payload: { token: c.token.token, tags, imei: c.imei } };
      }),
    );
    return {
      queued: counts.queued,
      duplicates: counts.refreshed + counts['in-flight'] + counts['already-claimed'],
      rejected: parsed.rejected,
    };
  }

  /** Pending claims in the service's bulk format: valid input for its bulk endpoint and for import. */
  exportQueue(): { rows: number; csv: string } {
    const pending = this.outbox.list('pending').filter((e) => e.kind === 'claim');
    const rows = pending.map((e) => ({ token: (e.payload as { token: string }).token, tags: e.tags }));
    return { rows: rows.length, csv: rows.length ? `${toBulkCsv(rows)}\n` : '' };
  }
}
