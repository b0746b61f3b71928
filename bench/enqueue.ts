import { openDatabase } from '../electron/adapters/db/database';
import { OutboxRepository } from '../electron/adapters/db/outbox-repo';
import { round } from './stats';
import { tempDir } from '../test/support/temp-dir';
import { makeToken } from '../test/support/tokens';

/** Enqueueing 100,000 claims in one import (one transaction), into a real database file. */
export function benchEnqueue(count = 100_000) {
  const claims = Array.from({ length: count }, () => {
    const t = makeToken();
    return {
      deviceId: t.deviceId,
      payloadJson: JSON.stringify({ token: t.token, tags: ['site=bench'], imei: null }),
    };
  });
  const dir = tempDir('fieldclaim-bench-');
  const db = openDatabase(dir.path);
  try {
    const start = performance.now();
    const counts = new OutboxRepository(db).enqueueClaimBatches([claims]);
    const seconds = (performance.now() - start) / 1000;
    if (counts.queued !== count) throw new Error(`expected ${count} queued, got ${JSON.stringify(counts)}`);
    return { claims: count, seconds: round(seconds), perSecond: Math.round(count / seconds), target: 50_000 };
  } finally {
    db.close();
    dir.remove();
  }
}
