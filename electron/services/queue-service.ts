import { withoutPayload } from '../core/outbox-entry';
import type { OutboxRepository } from '../adapters/db/outbox-repo';
import { CodedError } from '../shared/result';
import type { EntryState, OutboxEntry } from '../shared/types';
import type { EventBus, ServiceEvents } from './events';

/** The outbox as the technician handles it: what waits, what failed, retry and discard. */
export class QueueService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly events: EventBus<ServiceEvents>,
  ) {}

  list(state: EntryState | 'all' = 'all'): OutboxEntry[] {
    return this.outbox.list(state).map(withoutPayload);
  }

  retry(id: string | 'all-failed'): { requeued: number } {
    const requeued = this.outbox.retry(id);
    this.events.emit('changed', undefined);
    return { requeued };
  }

  discard(id: string): { discarded: number } {
    const discarded = this.outbox.discard(id);
    if (discarded === 0 && !this.outbox.get(id)) throw new CodedError('not-found', `No outbox entry ${id}`);
    this.events.emit('changed', undefined);
    return { discarded };
  }
}
