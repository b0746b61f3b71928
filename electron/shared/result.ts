/**
 * What crosses the IPC boundary (and the CLI's service boundary): a value or a typed error.
 * The UI and the CLI switch on `code`; `message` is plain words for the technician.
 */
export const errorCodes = [
  'invalid-argument',
  'invalid-token',
  'not-found',
  'port-unavailable',
  'device-no-answer',
  'device-error',
  'no-key',
  'key-rejected',
  'forbidden',
  'offline',
  'url-refused',
  'keychain-unavailable',
  'sync-busy',
  /** The database file cannot be used (damaged, truncated, another application's, newer): nothing was changed. */
  'database-unusable',
  /** Another process held the database's write lock for too long. */
  'database-busy',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: ErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
});

/** An error that carries its code through service layers until it is turned into a Result. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}
