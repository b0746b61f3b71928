import type { Command } from 'commander';
import type { Runner } from '../options';
import { formatDevices, formatTags, text } from '../text';

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
    .action((opts: { tag?: string; status?: string; search?: string }) =>
      run(async (app) => {
        const devices = app.devices
          .list({ search: opts.search })
          .filter((d) => !opts.tag || d.tags.includes(opts.tag))
          .filter((d) => !opts.status || d.status?.toUpperCase() === opts.status.toUpperCase());
        return { json: devices, text: formatDevices(devices) };
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
