import { normalizeTags } from './tags';
import { decodeAttestationToken, TokenError, type AttestationToken } from './token';

/** What one CSV row of a token file is. */
export type RowVerdict =
  | {
      kind: 'claim';
      token: AttestationToken;
      tags: string[];
      imei: string | null;
      /** An IMEI cell that was there but could not be kept, and why. */
      droppedImei?: { cell: string; why: ImeiDrop };
    }
  | { kind: 'skip' }
  | { kind: 'reject'; reason: string };

export type FileShape = 'bulk' | 'gather';

/** Why an IMEI cell was dropped: a spreadsheet turned it into a number, or it is no IMEI at all. */
export type ImeiDrop = 'spreadsheet-number' | 'not-an-imei';

const imeiPattern = /^\d{15}$/;
const tokenShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** 3.55026E+14, 3,55026E+14: what a spreadsheet shows (and saves) for a 15-digit number. */
const scientific = /^\d+(?:[.,]\d+)?E\+?\d+$/i;

/** A cell as a spreadsheet may have saved it: `="355025930000000"` (forced text) or `'355…` unwrapped. */
function unwrapCell(cell: string): string {
  const formula = /^="(.*)"$/.exec(cell);
  if (formula) return formula[1]!.trim();
  return cell.startsWith("'") ? cell.slice(1).trim() : cell;
}

/**
 * Nordic's gather tool writes `IMEI,UUID,token,timestamp`; the service's bulk format is `token[,"tags"]`.
 * Decided from the first data row by where its token stands, never by its IMEI cell: a gather file
 * opened and saved in a spreadsheet keeps its tokens, but its IMEIs may have become `3.55026E+14`.
 */
export function detectShape(fields: string[]): FileShape {
  const [first = '', second = '', third = ''] = fields.map((f) => unwrapCell(f.trim()));
  if (tokenShape.test(first)) return 'bulk';
  return tokenShape.test(third) || (uuidPattern.test(second) && third !== '') ? 'gather' : 'bulk';
}

/**
 * A first row that is words, not data: a header (detected, never required). A spreadsheet user
 * may name the gather columns `IMEI,UUID,Token,Date/Time (UTC)`.
 */
export function looksLikeHeader(fields: string[]): boolean {
  const cells = fields.map((f) => f.trim()).filter(Boolean);
  return (
    cells.length > 0 &&
    cells.every(
      (c) =>
        !tokenShape.test(c) &&
        !uuidPattern.test(c) &&
        /\p{L}/u.test(c) &&
        /^[\p{L}\p{N}\s_#/().:-]+$/u.test(c) &&
        !/^\d/.test(c),
    )
  );
}

/** Reads a gather row's IMEI cell: kept when it is one, dropped (with why) when it cannot be trusted. */
export function readImeiCell(raw: string): {
  imei: string | null;
  dropped?: { cell: string; why: ImeiDrop };
} {
  const cell = unwrapCell(raw);
  // The gather tool writes Python's None when the device would not say its IMEI.
  if (cell === '' || cell === 'None') return { imei: null };
  if (imeiPattern.test(cell)) return { imei: cell };
  // 355025930000000.0: the same digits, written back as a decimal number.
  const decimal = /^(\d{15})[.,]0+$/.exec(cell);
  if (decimal) return { imei: decimal[1]! };
  return { imei: null, dropped: { cell, why: scientific.test(cell) ? 'spreadsheet-number' : 'not-an-imei' } };
}

/** Reads one row. The same token decoder and tag rules as a serial read decide what is valid. */
export function interpretRow(fields: string[], shape: FileShape): RowVerdict {
  const cells = fields.map((f) => unwrapCell(f.trim()));
  if (cells.every((c) => c === '')) return { kind: 'skip' };
  const [tokenText, tagText] = shape === 'gather' ? [cells[2] ?? '', ''] : [cells[0] ?? '', cells[1] ?? ''];
  let token: AttestationToken;
  try {
    token = decodeAttestationToken(tokenText);
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    // An onboarding file (device_credentials_installer) starts with a device UUID, not a token.
    const hint =
      shape === 'bulk' && uuidPattern.test(tokenText)
        ? ' (column 1 holds a device UUID: this looks like an onboarding or device list, not a file of tokens)'
        : '';
    return { kind: 'reject', reason: `invalid token: ${err.message}${hint}` };
  }
  if (shape === 'gather') {
    const uuidCell = cells[1] ?? '';
    if (uuidCell !== '' && uuidCell.replace(/-/g, '').toLowerCase() !== token.deviceId.replace(/-/g, '')) {
      return {
        kind: 'reject',
        reason: `the UUID column (${uuidCell}) is not the device UUID in the token (${token.deviceId})`,
      };
    }
    // A valid token is never refused for its IMEI cell: the IMEI is for the record, the token is the claim.
    const { imei, dropped } = readImeiCell(cells[0] ?? '');
    return { kind: 'claim', token, tags: [], imei, ...(dropped ? { droppedImei: dropped } : {}) };
  }
  const tags = normalizeTags(tagText.split(','));
  if (!tags.ok) return { kind: 'reject', reason: tags.reason };
  return { kind: 'claim', token, tags: tags.tags, imei: null };
}
