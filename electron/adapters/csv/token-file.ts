import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import {
  detectShape,
  interpretRow,
  looksLikeHeader,
  type FileShape,
  type ImeiDrop,
} from '../../core/token-rows';
import type { AttestationToken } from '../../core/token';
import { CodedError } from '../../shared/result';

export interface ParsedClaim {
  row: number;
  token: AttestationToken;
  tags: string[];
  imei: string | null;
}

export interface RejectedRow {
  row: number;
  reason: string;
}

/** What a token file was, once read to its end. */
export interface TokenFileSummary {
  name: string;
  shape: FileShape;
  /** Data rows seen (not counting blank lines or a header). */
  rows: number;
  notes: string[];
}

/** A token file read and checked, not yet queued. */
export interface ParsedTokenFile extends TokenFileSummary {
  claims: ParsedClaim[];
  rejected: RejectedRow[];
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

/** Where the rows of a token file go as they are read: collected whole, or passed on in batches. */
export interface TokenRowSink {
  claim(claim: ParsedClaim): void;
  reject(rejected: RejectedRow): void;
  progress?(fraction: number): void;
}

function parseText(
  stream: Readable,
  name: string,
  totalBytes: number,
  sink: TokenRowSink,
): Promise<TokenFileSummary> {
  const summary: TokenFileSummary = { name, shape: 'bulk', rows: 0, notes: [] };
  let record = 0;
  let firstData = true;
  let shapeKnown = false;
  let extraColumns = false;
  const droppedImeis = new Map<ImeiDrop, { count: number; first: { row: number; cell: string } }>();
  let bytesRead = 0;
  stream.on('data', (chunk: string | Buffer) => {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    sink.progress?.(Math.min(1, bytesRead / Math.max(1, totalBytes)));
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
            summary.notes.push(`Row ${record} is a header and was skipped.`);
            return;
          }
        }
        if (!shapeKnown) {
          shapeKnown = true;
          summary.shape = detectShape(fields);
          if (summary.shape === 'gather')
            summary.notes.push(
              "Recognised the output of Nordic's gather tool: the IMEI of each row is kept.",
            );
        }
        summary.rows++;
        const verdict = interpretRow(fields, summary.shape);
        if (verdict.kind === 'claim') {
          // Said only of rows that were queued: a refused row has a reason of its own.
          if (summary.shape === 'bulk' && fields.slice(2).some((f) => f.trim() !== '')) extraColumns = true;
          sink.claim({ row: record, token: verdict.token, tags: verdict.tags, imei: verdict.imei });
          if (verdict.droppedImei) {
            const seen = droppedImeis.get(verdict.droppedImei.why);
            if (seen) seen.count++;
            else
              droppedImeis.set(verdict.droppedImei.why, {
                count: 1,
                first: { row: record, cell: verdict.droppedImei.cell },
              });
          }
        } else if (verdict.kind === 'reject') sink.reject({ row: record, reason: verdict.reason });
      },
      complete: () => {
        for (const [why, { count, first }] of droppedImeis)
          summary.notes.push(droppedImeiNote(why, count, first));
        if (extraColumns)
          summary.notes.push(
            'Columns after the second were ignored (the bulk format has the token, then its tags).',
          );
        sink.progress?.(1);
        resolve(summary);
      },
      error: (err: Error) => reject(new CodedError('invalid-argument', `${name}: ${err.message}`)),
    });
  });
}

/** One note for every row whose IMEI cell was dropped for the same reason, with the first as example. */
function droppedImeiNote(why: ImeiDrop, count: number, first: { row: number; cell: string }): string {
  const rows = count === 1 ? `Row ${first.row}` : `${count} rows (the first: row ${first.row})`;
  return why === 'spreadsheet-number'
    ? `${rows} had an IMEI a spreadsheet turned into a number (${first.cell}), which lost its last digits: ` +
        'queued without an IMEI (the token alone makes the claim).'
    : `${rows} had something that is not a 15-digit IMEI in the IMEI column (${first.cell}): queued without an IMEI.`;
}

/** Collects every row: what a preview shows and a commit queues. */
async function collect(
  parse: (sink: TokenRowSink) => Promise<TokenFileSummary>,
  onProgress?: (fraction: number) => void,
): Promise<ParsedTokenFile> {
  const claims: ParsedClaim[] = [];
  const rejected: RejectedRow[] = [];
  const summary = await parse({
    claim: (c) => claims.push(c),
    reject: (r) => rejected.push(r),
    progress: onProgress,
  });
  return { ...summary, claims, rejected };
}

/** Reads a token CSV from disk, streamed, passing each row on as it is checked. */
export function streamTokenFile(path: string, sink: TokenRowSink): Promise<TokenFileSummary> {
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
  if (encoding === 'utf16be') return streamTokenBytes(new Uint8Array(readFileSync(path)), name, sink);
  const stream = createReadStream(path, {
    start: skip,
    encoding: encoding === 'utf16le' ? 'utf16le' : 'utf8',
  });
  return parseText(stream, name, size, sink);
}

function streamTokenBytes(bytes: Uint8Array, name: string, sink: TokenRowSink): Promise<TokenFileSummary> {
  const { encoding, skip } = sniff(bytes.subarray(0, 8192), name);
  const body = bytes.subarray(skip);
  const text =
    encoding === 'utf8'
      ? Buffer.from(body).toString('utf8')
      : Buffer.from(encoding === 'utf16be' ? swapPairs(body) : body).toString('utf16le');
  return parseText(Readable.from(inSlices(text)), name, Buffer.byteLength(text), sink);
}

/** About 1,300 rows of the bulk format: a few milliseconds of checking each. */
const SLICE_CHARS = 256 * 1024;

/**
 * Text already in memory goes to the parser a slice at a time, with a turn of the event loop in
 * between: progress reaches the progress bar, and the main process keeps answering while a
 * 100,000-row file is checked.
 */
async function* inSlices(text: string): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += SLICE_CHARS) {
    yield text.slice(at, at + SLICE_CHARS);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reads a token CSV from disk, streamed, reporting progress as a fraction of the file read. */
export function readTokenFile(
  path: string,
  onProgress?: (fraction: number) => void,
): Promise<ParsedTokenFile> {
  return collect((sink) => streamTokenFile(path, sink), onProgress);
}

/** The same, for bytes that arrive over IPC (a picked or dropped file, pasted text). */
export function readTokenBytes(
  bytes: Uint8Array,
  name: string,
  onProgress?: (fraction: number) => void,
): Promise<ParsedTokenFile> {
  return collect((sink) => streamTokenBytes(bytes, name, sink), onProgress);
}
