import { normalizeTags } from './tags';
import { decodeAttestationToken, TokenError, type AttestationToken } from './token';

/** What one CSV row of a token file is. */
export type RowVerdict =
  | { kind: 'claim'; token: AttestationToken; tags: string[]; imei: string | null }
  | { kind: 'skip' }
  | { kind: 'reject'; reason: string };

export type FileShape = 'bulk' | 'gather';

const imeiPattern = /^\d{15}$/;
const tokenShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const uuidPattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Nordic's gather tool writes `IMEI,UUID,token,timestamp`; the service's bulk format is `token[,"tags"]`.
 * Decided from the first data row.
 */
export function detectShape(fields: string[]): FileShape {
  const [first, second, third] = fields.map((f) => f.trim());
  return imeiPattern.test(first ?? '') && uuidPattern.test(second ?? '') && tokenShape.test(third ?? '')
    ? 'gather'
    : 'bulk';
}

/** A first row that is words, not data: a header (detected, never required). */
export function looksLikeHeader(fields: string[]): boolean {
  const cells = fields.map((f) => f.trim()).filter(Boolean);
  return (
    cells.length > 0 &&
    cells.every((c) => !tokenShape.test(c) && !imeiPattern.test(c) && /^[\p{L}\s_#-]+$/u.test(c))
  );
}

/** Reads one row. The same token decoder and tag rules as a serial read decide what is valid. */
export function interpretRow(fields: string[], shape: FileShape): RowVerdict {
  const cells = fields.map((f) => f.trim());
  if (cells.every((c) => c === '')) return { kind: 'skip' };
  const [tokenText, tagText, imei] =
    shape === 'gather' ? [cells[2] ?? '', '', cells[0] ?? null] : [cells[0] ?? '', cells[1] ?? '', null];
  let token: AttestationToken;
  try {
    token = decodeAttestationToken(tokenText);
  } catch (err) {
    if (err instanceof TokenError) return { kind: 'reject', reason: `invalid token: ${err.message}` };
    throw err;
  }
  if (shape === 'gather') {
    const uuid = (cells[1] ?? '').replace(/-/g, '').toLowerCase();
    if (uuid !== token.deviceId.replace(/-/g, '')) {
      return {
        kind: 'reject',
        reason: `the UUID column (${cells[1]}) is not the device UUID in the token (${token.deviceId})`,
      };
    }
  }
  const tags = normalizeTags(tagText.split(','));
  if (!tags.ok) return { kind: 'reject', reason: tags.reason };
  return { kind: 'claim', token, tags: tags.tags, imei };
}
