import { openDatabase } from '../../electron/adapters/db/database';
import { OutboxRepository } from '../../electron/adapters/db/outbox-repo';
import type { MadeToken } from './tokens';

/** Queues claims straight into a data folder's outbox, as reading each board (or an import) would. */
export function queueClaims(
  dataDir: string,
  tokens: MadeToken[],
  options: { tags?: string[] | ((index: number) => string[]); imei?: string | null } = {},
): void {
  const db = openDatabase(dataDir);
  try {
    const tagsOf = (i: number) =>
      typeof options.tags === 'function' ? options.tags(i) : (options.tags ?? []);
    new OutboxRepository(db).enqueueClaimBatches([
      tokens.map((t, i) => ({
        deviceId: t.deviceId,
        payloadJson: JSON.stringify({ token: t.token, tags: tagsOf(i), imei: options.imei ?? null }),
      })),
    ]);
  } finally {
    db.close();
  }
}
