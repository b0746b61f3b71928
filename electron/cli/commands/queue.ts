import { Option, type Command } from 'commander';
import { CodedError } from '../../shared/result';
import { entryStates, type EntryState, type OutboxEntry } from '../../shared/types';
import { exitCodes, exitCodeForSync } from '../exit-codes';
import { intAtLeast, type Runner } from '../options';
import { formatSync, queueLine, text } from '../text';

/** The outbox: what waits, retry, discard, and sending it. */
export function registerQueue(program: Command, run: Runner): void {
  program
    .command('queue')
    .description('list outbox entries')
    .addOption(new Option('--state <state>').choices([...entryStates, 'all']).default('all'))
    .option('--limit <n>', 'at most this many, oldest first', intAtLeast('--limit'))
    .option('--offset <n>', 'skip this many first', intAtLeast('--offset', 0), 0)
    .action((opts: { state: EntryState | 'all'; limit?: number; offset: number }) =>
      run(async (app) => {
        const entries = app.queue.iterate({ state: opts.state }, opts.offset, opts.limit);
        // The text adds, for a failed entry, what to do; the JSON says what kind of failure.
        const asJson = (e: OutboxEntry) => ({
          id: e.id,
          kind: e.kind,
          deviceId: e.deviceId,
          state: e.state,
          attempts: e.attempts,
          lastError: e.lastError,
          failure: e.failure,
          createdAt: e.createdAt,
        });
        return { rows: entries, line: queueLine, asJson, empty: text.emptyQueue };
      }),
    );

  program
    .command('retry [id]')
    .description('put failed entries back in line')
    .option('--all-failed', 'every failed entry')
    .action((id: string | undefined, opts: { allFailed?: boolean }) =>
      run(async (app) => {
        if (!id && !opts.allFailed) throw new CodedError('invalid-argument', text.retryWhat);
        const result = app.queue.retry(opts.allFailed ? 'all-failed' : id!);
        return { json: result, text: text.requeued(result.requeued, result.stillFailed) };
      }),
    );

  program
    .command('discard <id>')
    .description('drop an entry that has not been sent')
    .action((id: string) =>
      run(async (app) => {
        const result = app.queue.discard(id);
        return {
          json: result,
          text: result.discarded ? text.discarded : text.notDiscarded,
          exitCode: result.discarded ? exitCodes.success : exitCodes.failed,
        };
      }),
    );

  program
    .command('sync')
    .description('send the outbox, then refresh the device list')
    .option('--batch-size <n>', 'claims per bulk request (at most 1000)', intAtLeast('--batch-size'))
    .option('--refresh', 'refresh the local device list too, even when it is not due')
    .action((opts: { batchSize?: number; refresh?: boolean }) =>
      run(async (app) => {
        if (opts.batchSize !== undefined && opts.batchSize > 1000)
          throw new CodedError('invalid-argument', text.batchTooLarge);
        const unsubscribe = process.stderr.isTTY
          ? app.on('syncProgress', (p) => process.stderr.write(text.syncProgress(p.sent, p.total, p.current)))
          : () => undefined;
        const summary = await app.sync.run({ batchSize: opts.batchSize, refresh: opts.refresh });
        unsubscribe();
        if (process.stderr.isTTY) process.stderr.write('\n');
        const { stopped, ...counts } = summary;
        return {
          json: stopped ? { ...counts, stopped } : counts,
          text: formatSync(summary),
          exitCode: exitCodeForSync(summary),
        };
      }),
    );
}
