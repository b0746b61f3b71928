import Papa from 'papaparse';

export interface GatherRow {
  imei: string | null;
  deviceId: string;
  token: string;
  /** When the token was read (ISO 8601). */
  readAt: string;
}

/** Python's datetime.isoformat() for UTC, as the gather tool writes it: `+00:00`, never `Z`. */
const pythonUtc = (iso: string) => iso.replace(/Z$/, '+00:00');

/**
 * The file nrfcloud-utils' gather_attestation_tokens writes and its claim_devices reads:
 * `IMEI,UUID,token,timestamp`, no header, LF line endings, one device per line. An IMEI that is
 * not known is left empty (claim_devices only passes the token on).
 */
export function toGatherCsv(rows: ReadonlyArray<GatherRow>): string {
  return Papa.unparse(
    rows.map((r) => [r.imei ?? '', r.deviceId, r.token, pythonUtc(r.readAt)]),
    { newline: '\n', header: false },
  );
}
