import type { Command } from 'commander';
import { exitCodeForStop } from '../exit-codes';
import { intAtLeast, type Runner } from '../options';
import { deviceLine, formatTags, text } from '../text';

const queued = (change: { kind: string }) => ({
  json: { queued: true, kind: change.kind },
  text: text.queuedChange(change.kind),
});

/** Claimed devices and tags: the local copy, and the changes queued for them. */
export function registerDevices(program: Command, run: Runner): void {
  program
    .command('devices')
    .description('the local copy of claimed devices')
    .option('--tag <tag>', 'only devices with this tag')
    .option('--status <status>', 'only devices with this status (READY, BLOCKED)')
    .option('--search <text>', 'part of a device UUID or IMEI')
    .option('--refresh', 'refresh the local list from the service first (resumes an interrupted refresh)')
    .option('--limit <n>', 'at most this many, newest first', intAtLeast('--limit'))
    .option('--offset <n>', 'skip this many first', intAtLeast('--offset', 0), 0)
    .action(
      (opts: {
        tag?: string;
        status?: string;
        search?: string;
        refresh?: boolean;
        limit?: number;
        offset: number;
      }) =>
        run(async (app) => {
          let exitCode: number | undefined;
          if (opts.refresh) {
            // The list is printed either way (what the copy holds); a refresh that failed says why and sets the exit code.
            const { stopped } = await app.sync.refreshNow();
            if (stopped) {
              process.stderr.write(`${text.refreshStopped(stopped.message)}\n`);
              exitCode = exitCodeForStop(stopped.reason);
            }
          }
          const query = { search: opts.search, tag: opts.tag, status: opts.status };
          return {
            rows: app.devices.iterate(query, opts.offset, opts.limit),
            line: deviceLine,
            empty: text.noDevices,
            exitCode,
          };
        }),
    );
  for (const kind of ['block', 'unblock', 'unclaim'] as const) {
    program
      .command(`${kind} <id>`)
      .description(
        kind === 'unclaim'
          ? 'queue unclaiming a device (deletes its history in the service)'
          : `queue ${kind}ing a device`,
      )
      .action((id: string) => run(async (app) => queued(app.changes.device(kind, id))));
  }
  program
    .command('set-tags <id> <tags>')
    .description("queue a device's new tag list (comma-separated; '' for none)")
    .action((id: string, tags: string) =>
      run(async (app) => queued(app.changes.setTags(id, tags.split(',')))),
    );

  const tags = program.command('tags').description('list tags, or queue tag changes');
  tags.action(() =>
    run(async (app) => {
      const list = app.devices.tags();
      return { json: list, text: formatTags(list) };
    }),
  );
  tags
    .command('create <name>')
    .option('--description <text>', 'what the tag means', '')
    .action((name: string, opts: { description: string }) =>
      run(async (app) => queued(app.changes.createTag(name, opts.description))),
    );
  tags
    .command('update <name>')
    .option('--to <new>', 'new name (applies to every device carrying it)')
    .option('--description <text>', 'new description')
    .action((name: string, opts: { to?: string; description?: string }) =>
      run(async (app) => queued(app.changes.updateTag(name, opts))),
    );
  tags
    .command('delete <name>')
    .description('queue deleting a tag (removes it from every device)')
    .action((name: string) => run(async (app) => queued(app.changes.deleteTag(name))));
}
