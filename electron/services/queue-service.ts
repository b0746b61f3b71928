import { failureAdvice, retryableFailures } from '../core/failure-kind';
import { withoutPayload } from '../core/outbox-entry';
import { totalOf } from '../core/paging';
import type { EntryQuery, OutboxQueries } from '../adapters/db/outbox-queries';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import { CodedError } from '../shared/result';
import type { EntryState, OutboxEntry, QueuePage } from '../shared/types';
import type { EventBus, ServiceEvents } from './events';

/** The outbox as the technician handles it: what waits, what failed, retry and discard. */
export class QueueService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queries: OutboxQueries,
    private readonly events: EventBus<ServiceEvents>,
  ) {}

  /** One window of the matching entries (the count of each state comes with the pushed status). */
  page(query: EntryQuery, offset: number, limit: number): QueuePage {
    const rows = this.queries.page(query, offset, limit).map(withoutPayload);
    return {
      rows,
      offset,
      total: totalOf(rows.length, offset, limit, () => this.queries.countMatching(query)),
    };
  }

  /** The matching entries from `offset` on, at most `limit` (-1: all), streamed. */
  *iterate(query: EntryQuery = {}, offset = 0, limit = -1): Generator<OutboxEntry> {
    for (const entry of this.queries.iterate(query, offset, limit)) yield withoutPayload(entry);
  }

  /** The whole matching list at once: for small queues and tests. */
  list(state: EntryState | 'all' = 'all'): OutboxEntry[] {
    return [...this.iterate({ state })];
  }

  /**
   * Puts failed entries back in line, only those retrying can help: one that failed for good
   * (claimed by another team, say) is refused with what to do instead.
   */
  retry(id: string | 'all-failed'): { requeued: number; stillFailed: number } {
    const requeued = this.outbox.retry(id, retryableFailures);
    if (requeued === 0 && id !== 'all-failed') {
      const entry = this.queries.get(id);
      if (!entry) throw new CodedError('not-found', `No outbox entry ${id}`);
      if (entry.state === 'failed' && entry.failure)
        throw new CodedError(
          'invalid-argument',
          `Retrying cannot help: ${failureAdvice[entry.failure].hint}`,
        );
    }
    this.events.emit('changed', undefined);
    if (requeued) this.events.emit('workQueued', undefined);
    return { requeued, stillFailed: this.queries.counts().failed };
  }

  discard(id: string): { discarded: number } {
    const discarded = this.outbox.discard(id);
    if (discarded === 0 && !this.queries.get(id)) throw new CodedError('not-found', `No outbox entry ${id}`);
    this.events.emit('changed', undefined);
    return { discarded };
  }
}
