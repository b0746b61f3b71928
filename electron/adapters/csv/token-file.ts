import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { detectShape, interpretRow, looksLikeHeader, type FileShape } from '../../core/token-rows';
import type { AttestationToken } from '../../core/token';
import { CodedError } from '../../shared/result';

export interface ParsedClaim {
  row: number;
  token: AttestationToken;
  tags: string[];
  imei: string | null;
}

/** A token file read and checked, not yet queued. */
export interface ParsedTokenFile {
  name: string;
  shape: FileShape;
  /** Data rows seen (not counting blank lines or a header). */
  rows: number;
  claims: ParsedClaim[];
  rejected: Array<{ row: number; reason: string }>;
  notes: string[];
}

type Encoding = 'utf8' | 'utf16le' | 'utf16be';

/** Looks at a file's first bytes: its text encoding, or that it is no text file at all. */
function sniff(head: Uint8Array, name: string): { encoding: Encoding; skip: number } {
  if (head.length === 0)
    throw new CodedError('invalid-argument', `${name} is empty: there are no tokens to import`);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', skip: 2 };
  if (head.includes(0)) {
    throw new CodedError(
      'invalid-argument',
      `${name} is not a text file (it contains binary data): export the tokens as CSV`,
    );
  }
  return { encoding: 'utf8', skip: 0 };
}

/** UTF-16 big-endian has no Node stream decoder: swap each pair of bytes into little-endian. */
function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1]!;
    out[i + 1] = bytes[i]!;
  }
  return out;
}

function parseText(
  stream: Readable,
  name: string,
  totalBytes: number,
  onProgress?: (fraction: number) => void,
): Promise<ParsedTokenFile> {
  const result: ParsedTokenFile = { name, shape: 'bulk', rows: 0, claims: [], rejected: [], notes: [] };
  let record = 0;
  let firstData = true;
  let extraColumns = false;
  let bytesRead = 0;
  stream.on('data', (chunk: string | Buffer) => {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    onProgress?.(Math.min(1, bytesRead / Math.max(1, totalBytes)));
  });
  return new Promise((resolve, reject) => {
    Papa.parse<string[]>(stream as unknown as NodeJS.ReadableStream, {
      skipEmptyLines: false,
      step: ({ data }) => {
        record++;
        const fields = data.map((f) => f.replace(/^\uFEFF/, ''));
        if (fields.every((f) => f.trim() === '')) return;
        if (firstData) {
          firstData = false;
          if (looksLikeHeader(fields)) {
            result.notes.push(`Row ${record} is a header and was skipped.`);
            return;
          }
          result.shape = detectShape(fields);
          if (result.shape === 'gather')
            result.notes.push("Recognised the output of Nordic's gather tool: the IMEI of each row is kept.");
        }
        result.rows++;
        if (result.shape === 'bulk' && fields.slice(2).some((f) => f.trim() !== '')) extraColumns = true;
        const verdict = interpretRow(fields, result.shape);
        if (verdict.kind === 'claim')
          result.claims.push({ row: record, token: verdict.token, tags: verdict.tags, imei: verdict.imei });
        else if (verdict.kind === 'reject') result.rejected.push({ row: record, reason: verdict.reason });
      },
      complete: () => {
        if (extraColumns)
          result.notes.push(
            'Columns after the second were ignored (the bulk format has the token, then its tags).',
          );
        onProgress?.(1);
        resolve(result);
      },
      error: (err: Error) => reject(new CodedError('invalid-argument', `${name}: ${err.message}`)),
    });
  });
}

/** Reads a token CSV from disk, streamed, reporting progress as a fraction of the file read. */
export function readTokenFile(
  path: string,
  onProgress?: (fraction: number) => void,
): Promise<ParsedTokenFile> {
  const name = basename(path);
  let size: number;
  let head: Buffer;
  try {
    size = statSync(path).size;
    const fd = openSync(path, 'r');
    head = Buffer.alloc(Math.min(size, 8192));
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
  } catch (err) {
    throw new CodedError('invalid-argument', `Cannot read ${path}: ${(err as Error).message}`);
  }
  const { encoding, skip } = sniff(head, name);
  // Rare enough (Node streams cannot decode it) to read whole.
  if (encoding === 'utf16be') return readTokenBytes(new Uint8Array(readFileSync(path)), name, onProgress);
  const stream = createReadStream(path, {
    start: skip,
    encoding: encoding === 'utf16le' ? 'utf16le' : 'utf8',
  });
  return parseText(stream, name, size, onProgress);
}

/** The same, for bytes that arrive over IPC (a picked or dropped file, pasted text). */
export function readTokenBytes(
  bytes: Uint8Array,
  name: string,
  onProgress?: (fraction: number) => void,
): Promise<ParsedTokenFile> {
  const { encoding, skip } = sniff(bytes.subarray(0, 8192), name);
  const body = bytes.subarray(skip);
  const text =
    encoding === 'utf8'
      ? Buffer.from(body).toString('utf8')
      : Buffer.from(encoding === 'utf16be' ? swapPairs(body) : body).toString('utf16le');
  return parseText(Readable.from([text]), name, bytes.length, onProgress);
}
