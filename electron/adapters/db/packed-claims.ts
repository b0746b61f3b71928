import { newClientId } from './client-id';

/** A claim about to be queued, its payload already serialised. */
export interface NewClaim {
  deviceId: string;
  payloadJson: string;
}

/**
 * Claims packed as one JSON text, `[[deviceId, clientId, payloadJson], ...]`. A batch crosses from
 * the reading thread as one string and SQLite unpacks it: the writing thread makes no object per
 * row, so its heap stays the same size however long the file is.
 */
export interface PackedClaims {
  count: number;
  json: string;
}

export function packClaims(claims: readonly NewClaim[]): PackedClaims {
  return {
    count: claims.length,
    json: JSON.stringify(claims.map((c) => [c.deviceId, newClientId(), c.payloadJson])),
  };
}
