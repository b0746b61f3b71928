import { basename } from 'node:path';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { ClaimPayload } from '../../core/outbox-entry';
import { packClaims, type NewClaim, type PackedClaims } from '../db/packed-claims';
import { CodedError, errorCodes, type ErrorCode } from '../../shared/result';
import { streamTokenFile, type ParsedClaim, type RejectedRow } from './token-file';

/**
 * A token file read on a worker thread while the calling thread queues its rows. Decoding every
 * token and writing every row each take about a second per 100,000 rows; side by side on two
 * cores an import takes little more than the writing.
 *
 * The calling thread takes the batches synchronously (a shared counter it waits on, and
 * receiveMessageOnPort), so it can hold one database transaction over the whole file without
 * letting any other work of its own in between.
 */

/** Rows checked since the last batch, and how much of the file has been read. */
export interface ClaimBatch {
  claims: PackedClaims;
  rejected: RejectedRow[];
  progress: number;
  /** The file's notes, known once it has been read to its end: on the last batch. */
  notes?: string[];
}

export interface TokenFileThreadData {
  path: string;
  /** Tags for every row, normalised. */
  extraTags: string[];
  port: MessagePort;
  /**
   * Two Int32s: the messages posted (the reader sleeps until the next one) and the batches taken
   * (the worker sleeps while it is too far ahead, so memory does not grow with the file).
   */
  signal: SharedArrayBuffer;
}

type ThreadMessage =
  ({ kind: 'batch' } & ClaimBatch) | { kind: 'done' } | { kind: 'error'; code: ErrorCode; message: string };

/** Starts the worker thread that runs `serveTokenFile` (the build and the tests find it differently). */
export type StartTokenFileThread = (data: TokenFileThreadData, transferList: MessagePort[]) => Worker;

// The first batch is small so that writing starts early; later ones amortise the messaging. A
// packed batch of 500 rows (about 120 KB) stays under V8's large-object size, so the writing
// thread's copy dies young and is swept at once: with 2,000 rows a 500,000-row import peaked
// 23 MB above a 10,000-row one, with 500 about 9 MB, at the same speed.
const FIRST_BATCH_ROWS = 250;
const BATCH_ROWS = 500;
/** The worker reports every few hundred rows: this long without a word means it is stuck. */
const STALL_MS = 60_000;
/** Batches the worker may read ahead of the writer: enough to keep both busy, not the whole file. */
const AHEAD = 2;
const POSTED = 0;
const TAKEN = 1;

/**
 * A checked row as the outbox stores it, with tags added to every row (already normalised) merged
 * in. Serialised here: on the worker thread that is work taken off the writing thread.
 */
export function claimOf(c: ParsedClaim, extraTags: string[]): NewClaim {
  const tags = extraTags.length ? [...new Set([...c.tags, ...extraTags])] : c.tags;
  const payload: ClaimPayload = { token: c.token.token, tags, imei: c.imei };
  return { deviceId: c.token.deviceId, payloadJson: JSON.stringify(payload) };
}

/**
 * A file already read whole (the desktop app's preview) as the batches a worker would post: each
 * batch is packed on its own, so queueing a large file never builds one text of all its rows.
 */
export function* claimBatchesOf(
  parsed: { claims: readonly ParsedClaim[]; rejected: RejectedRow[]; notes: string[] },
  extraTags: string[],
): Generator<ClaimBatch> {
  const rows = parsed.claims.length;
  for (let from = 0; from === 0 || from < rows; from += BATCH_ROWS) {
    const last = from + BATCH_ROWS >= rows;
    yield {
      claims: packClaims(parsed.claims.slice(from, from + BATCH_ROWS).map((c) => claimOf(c, extraTags))),
      rejected: from === 0 ? parsed.rejected : [],
      progress: last ? 1 : (from + BATCH_ROWS) / rows,
      ...(last ? { notes: parsed.notes } : {}),
    };
  }
}

/** The worker thread's side: reads the file and posts its rows in batches, then 'done' or an error. */
export function serveTokenFile({ path, extraTags, port, signal }: TokenFileThreadData): void {
  const counters = new Int32Array(signal);
  const post = (message: ThreadMessage) => {
    // A worker may block: it waits here while the writer is behind, and the file waits with it.
    for (let taken = Atomics.load(counters, TAKEN); Atomics.load(counters, POSTED) - taken >= AHEAD;) {
      Atomics.wait(counters, TAKEN, taken, STALL_MS);
      taken = Atomics.load(counters, TAKEN);
    }
    port.postMessage(message);
    Atomics.add(counters, POSTED, 1);
    Atomics.notify(counters, POSTED);
  };
  let claims: NewClaim[] = [];
  let batch: Omit<ClaimBatch, 'claims'> = { rejected: [], progress: 0 };
  let limit = FIRST_BATCH_ROWS;
  const flush = () => {
    post({ kind: 'batch', ...batch, claims: packClaims(claims) });
    claims = [];
    batch = { rejected: [], progress: batch.progress };
    limit = BATCH_ROWS;
  };
  const finish = (last: ThreadMessage) => {
    post(last);
    port.close();
  };
  const fail = (err: unknown) => {
    const coded = err instanceof CodedError && errorCodes.includes(err.code);
    finish({
      kind: 'error',
      code: coded ? err.code : 'internal',
      message: coded ? err.message : `Reading ${basename(path)} failed: ${String(err)}`,
    });
  };
  // The calling thread is blocked waiting for a word: a crash must still send one.
  process.on('uncaughtException', fail);
  Promise.resolve()
    .then(() =>
      streamTokenFile(path, {
        claim: (c) => {
          claims.push(claimOf(c, extraTags));
          if (claims.length >= limit) flush();
        },
        reject: (r) => void batch.rejected.push(r),
        progress: (fraction) => void (batch.progress = fraction),
      }),
    )
    .then((summary) => {
      batch.notes = summary.notes;
      flush();
      finish({ kind: 'done' });
    })
    .catch(fail);
}

/**
 * The calling thread's side: starts the worker and waits, without blocking, for its first word (a
 * worker that cannot start says so here). Iterating then yields the batches as they come, blocking
 * in between. `close` ends the worker; iterating to the end or failing part way closes it too.
 */
export async function readTokenFileOnThread(
  start: StartTokenFileThread,
  path: string,
  extraTags: string[],
  stallMs = STALL_MS,
): Promise<TokenFileOnThread> {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const reading = new TokenFileOnThread(
    start({ path, extraTags, port: port2, signal }, [port2]),
    port1,
    new Int32Array(signal),
    basename(path),
    stallMs,
  );
  try {
    await reading.firstWord();
  } catch (err) {
    reading.close();
    throw err;
  }
  return reading;
}

export class TokenFileOnThread implements Iterable<ClaimBatch> {
  private failure: Error | null = null;

  constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly counters: Int32Array,
    private readonly name: string,
    private readonly stallMs: number,
  ) {
    // Kept for good: an 'error' event with no listener would bring the whole process down.
    worker.on('error', (err) => void (this.failure = err));
  }

  async firstWord(): Promise<void> {
    // Starting a thread can take a while on a busy machine: the first word gets the full allowance.
    const waiting = Atomics.waitAsync(this.counters, POSTED, 0, Math.max(this.stallMs, STALL_MS));
    const stopped = new Promise<'stopped'>((resolve) => {
      this.worker.once('error', () => resolve('stopped'));
      this.worker.once('exit', () => resolve('stopped'));
    });
    const outcome = await Promise.race([waiting.value, stopped]);
    if (outcome === 'timed-out') throw this.stalled(STALL_MS);
    if (outcome === 'stopped' && Atomics.load(this.counters, POSTED) === 0)
      throw new CodedError(
        'internal',
        `Could not start reading ${this.name}${this.failure ? `: ${this.failure.message}` : ''}. Nothing was queued.`,
      );
  }

  *[Symbol.iterator](): Generator<ClaimBatch> {
    try {
      for (;;) {
        const seen = Atomics.load(this.counters, POSTED);
        const received = receiveMessageOnPort(this.port);
        if (!received) {
          if (Atomics.wait(this.counters, POSTED, seen, this.stallMs) === 'timed-out') throw this.stalled();
          continue;
        }
        Atomics.add(this.counters, TAKEN, 1);
        Atomics.notify(this.counters, TAKEN);
        const message = received.message as ThreadMessage;
        if (message.kind === 'error') throw new CodedError(message.code, message.message);
        if (message.kind === 'done') return;
        yield message;
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }

  private stalled(waitedMs = this.stallMs): CodedError {
    return new CodedError(
      'internal',
      `Reading ${this.name} stopped: no rows for ${waitedMs / 1000} s. Nothing was queued; try again.`,
    );
  }
}
