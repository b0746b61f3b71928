import type { EntryKind, EntryState, OutboxEntry } from '../shared/types';

/** What a claim carries to the service: the token, the device's tags, and the IMEI read with it. */
export interface ClaimPayload {
  token: string;
  tags: string[];
  imei: string | null;
}

/** What each kind of change carries; the entry's key (device UUID or `tag:NAME`) orders changes to one thing. */
export interface PayloadByKind {
  claim: ClaimPayload;
  'set-tags': { tags: string[] };
  block: Record<string, never>;
  unblock: Record<string, never>;
  unclaim: Record<string, never>;
  'tag-create': { tag: string; description: string };
  'tag-update': { tag: string; to: string; description: string | null };
  'tag-delete': { tag: string };
}

type TagKind = 'tag-create' | 'tag-update' | 'tag-delete';

/** A change to a tag, its kind and payload paired. */
export type TagChange = { [K in TagKind]: { kind: K; payload: PayloadByKind[K] } }[TagKind];

/** An outbox entry as the main process knows it: with its payload and whether its outcome is unknown. */
export type StoredEntry = {
  [K in EntryKind]: OutboxEntry & {
    kind: K;
    payload: PayloadByKind[K];
    /** The request may have reached the service unseen: the service is asked before anything is resent. */
    uncertain: boolean;
  };
}[EntryKind];

/** Tag changes are ordered among themselves by tag name, as device changes are by device UUID. */
export const tagKey = (tag: string) => `tag:${tag}`;

/** The token stays in the main process: entries cross to the UI and the CLI without their payload. */
export const withoutPayload = ({
  payload: _payload,
  uncertain: _uncertain,
  ...entry
}: StoredEntry): OutboxEntry => entry;

/** A claim or unclaim already in the outbox for a device, as the de-duplication rule needs to see it. */
export interface ClaimHistoryEntry {
  seq: number;
  kind: 'claim' | 'unclaim';
  state: EntryState;
  uncertain: boolean;
}

/** What queueing a claim does: a new entry, a fresh token for an unsent one, or nothing. */
export type ClaimDecision =
  | { action: 'queue-new' }
  | { action: 'refresh'; seq: number }
  | { action: 'in-flight'; seq: number }
  | { action: 'already-claimed'; seq: number };

/**
 * The de-duplication rule, matched against the device's present state as this outbox knows it:
 * its newest claim, unless an unclaim came after it (then the device is, or will be, free again
 * and a new claim goes in line behind the unclaim). While a claim is unsent, a fresh read only
 * refreshes its token; one that may have reached the service is settled before anything else.
 */
export function decideClaim(history: readonly ClaimHistoryEntry[]): ClaimDecision {
  let claim: ClaimHistoryEntry | undefined;
  let unclaim: ClaimHistoryEntry | undefined;
  for (const entry of history) {
    if (entry.kind === 'claim' && (!claim || entry.seq > claim.seq)) claim = entry;
    // A failed unclaim left the device claimed.
    if (entry.kind === 'unclaim' && entry.state !== 'failed' && (!unclaim || entry.seq > unclaim.seq))
      unclaim = entry;
  }
  if (!claim || (unclaim && unclaim.seq > claim.seq)) return { action: 'queue-new' };
  if (claim.state === 'sending' || claim.uncertain) return { action: 'in-flight', seq: claim.seq };
  if (claim.state === 'done') return { action: 'already-claimed', seq: claim.seq };
  return { action: 'refresh', seq: claim.seq };
}

/** The newest token wins; the tags of both reads are kept; an IMEI once read is not forgotten. */
export function mergeClaims(previous: ClaimPayload, next: ClaimPayload): ClaimPayload {
  return {
    token: next.token,
    tags: [...new Set([...previous.tags, ...next.tags])],
    imei: next.imei ?? previous.imei,
  };
}
