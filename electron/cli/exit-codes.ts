import type { ErrorCode } from '../shared/result';
import type { SyncStopReason, SyncSummary } from '../shared/types';

/** The CLI contract's exit codes (docs/cli.md). */
export const exitCodes = { success: 0, failed: 1, usage: 2, auth: 3, offline: 4 } as const;

export function exitCodeForError(code: ErrorCode): number {
  switch (code) {
    case 'invalid-argument':
    case 'invalid-token':
    case 'url-refused':
      return exitCodes.usage;
    case 'no-key':
    case 'key-rejected':
    case 'forbidden':
      return exitCodes.auth;
    case 'offline':
      return exitCodes.offline;
    default:
      return exitCodes.failed;
  }
}

/** Why a sync or a refresh stopped, as the contract's exit code. */
export function exitCodeForStop(reason: SyncStopReason): number {
  if (reason === 'no-key' || reason === 'key-rejected' || reason === 'forbidden') return exitCodes.auth;
  // A captive portal or proxy answering for the API: the API could not be reached, nothing dropped.
  if (reason === 'offline' || reason === 'not-api') return exitCodes.offline;
  return exitCodes.failed;
}

export function exitCodeForSync(summary: SyncSummary): number {
  if (summary.stopped) return exitCodeForStop(summary.stopped.reason);
  return summary.failed > 0 ? exitCodes.failed : exitCodes.success;
}
