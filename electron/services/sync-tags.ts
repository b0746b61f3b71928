import type { ApiFailure, ServiceTag } from '../core/service-model';
import type { ProvisioningClient } from '../adapters/api/provisioning-client';
import type { TagsRepository } from '../adapters/db/tags-repo';

/** What a round found about the tags its entries use. */
export interface TagReadiness {
  /** Tags that could not be made for a passing reason: entries using them wait and count an attempt. */
  unavailable: Set<string>;
  /** Tags whose queued creation (with its description) has not gone out yet: entries using them wait for it. */
  awaitingCreation: Set<string>;
  /** The failure met while asking or creating, for the run to judge. */
  failure: ApiFailure | null;
}

/**
 * The service's tags as one sync run knows them. The service wants a tag defined before a device
 * uses it, so a tag an entry needs is created on the fly, but never one that a queued creation
 * will make with its description: that creation goes first.
 */
export class ServiceTags {
  private known: ServiceTag[] | null = null;

  constructor(
    private readonly client: ProvisioningClient,
    private readonly local: TagsRepository,
  ) {}

  /** The list is read again next time (a create may have happened without an answer). */
  forget(): void {
    this.known = null;
  }

  /** A tag the service confirmed (a queued creation's answer). */
  add(tag: ServiceTag): void {
    this.known?.push(tag);
  }

  async prepare(
    needed: Set<string>,
    queuedCreations: () => Set<string>,
    stopped: () => boolean,
  ): Promise<TagReadiness> {
    const readiness: TagReadiness = { unavailable: new Set(), awaitingCreation: new Set(), failure: null };
    if (needed.size === 0) return readiness;
    const queued = queuedCreations();
    if (!this.known) {
      const listed = await this.client.listTags();
      if (listed.kind !== 'ok') return { ...readiness, unavailable: needed, failure: listed };
      this.known = listed.value;
    }
    const known = new Set(this.known.map((t) => t.tag));
    for (const name of needed) {
      if (known.has(name)) continue;
      if (queued.has(name)) {
        readiness.awaitingCreation.add(name);
        continue;
      }
      if (stopped() || readiness.failure) {
        readiness.unavailable.add(name);
        continue;
      }
      const created = await this.client.createTag(name, '');
      if (created.kind === 'ok' || (created.kind === 'rejected' && created.status === 409)) {
        const tag = (created.kind === 'ok' && created.value) || {
          id: null,
          tag: name,
          description: '',
          createdAt: null,
        };
        this.known.push(tag);
        this.local.upsert(tag);
      } else if (created.kind !== 'rejected') {
        // A 422 (say, too long) is left for the entries to fail with the service's own words.
        readiness.unavailable.add(name);
        readiness.failure = created;
        this.forget();
      }
    }
    return readiness;
  }
}
