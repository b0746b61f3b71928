import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Command, CommanderError, Option } from 'commander';
import { version } from '../../package.json';
import { normalizeTags } from '../core/tags';
import { defaultDataDir } from '../services/data-dir';
import { Fieldclaim } from '../services/fieldclaim';
import { CodedError } from '../shared/result';
import {
  entryStates,
  readModes,
  stages,
  type ScanResult,
  type Settings,
  type Stage,
  type SyncProgress,
} from '../shared/types';
import { exitCodeForError, exitCodeForSync, exitCodes } from './exit-codes';
import { formatDevices, formatQueue, formatScan, formatSync } from './format';

interface GlobalOptions {
  dataDir?: string;
  stage?: Stage;
  apiUrl?: string;
  json?: boolean;
}

/** What a command produced: the JSON document, the human text, and the exit code. */
interface Outcome {
  json: unknown;
  text: string;
  exitCode?: number;
}

function openApp(options: GlobalOptions): Fieldclaim {
  const overrides: Partial<Settings> = {};
  if (options.stage) overrides.stage = options.stage;
  const apiUrl = options.apiUrl ?? process.env.FIELDCLAIM_API_URL;
  if (apiUrl) overrides.apiUrl = apiUrl;
  return new Fieldclaim({
    dataDir: options.dataDir ?? process.env.FIELDCLAIM_DATA_DIR ?? defaultDataDir(),
    envApiKey: process.env.FIELDCLAIM_API_KEY || null,
    settingsOverrides: overrides,
    userAgent: `Fieldclaim/${version} (${process.platform}; cli)`,
    processLabel: 'the command line',
    // A headless run waits out short backoffs and rate-limit pauses instead of leaving work behind.
    syncMaxWaitMs: 30_000,
    build: __FIELDCLAIM_BUILD__,
    // Built next to this file (electron.vite.config.ts).
    startTokenFileThread: (workerData, transferList) =>
      new Worker(join(__dirname, 'token-file-reader.js'), { workerData, transferList }),
  });
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new CodedError('invalid-argument', `${name} must be a whole number above 0, not "${value}"`);
    return n;
  };
}

function showProgress(progress: SyncProgress): void {
  process.stderr.write(
    `\rsync: ${progress.sent}/${progress.total} sent${progress.current ? ` (${progress.current})` : ''}   `,
  );
}

export function buildProgram(
  run: (work: (app: Fieldclaim, global: GlobalOptions) => Promise<Outcome>) => Promise<void>,
) {
  const program = new Command('fieldclaim')
    .description('Claim Nordic nRF91 devices in nRF Cloud, offline first')
    .version(version)
    .option('--data-dir <dir>', 'folder that holds the database (env FIELDCLAIM_DATA_DIR)')
    .addOption(new Option('--stage <stage>', 'which Provisioning API host').choices([...stages]))
    .option('--api-url <url>', 'explicit API base URL (loopback test servers; env FIELDCLAIM_API_URL)')
    .option('--json', 'print exactly one JSON document on stdout')
    .exitOverride();

  const key = program
    .command('key')
    .description('the API key in the OS keychain (env FIELDCLAIM_API_KEY overrides it)');
  key
    .command('set')
    .description('read the key from stdin and store it')
    .action(() =>
      run(async (app) => {
        const text = (await readStdin()).trim();
        if (!text)
          throw new CodedError(
            'invalid-argument',
            'no key on stdin: pipe it in, e.g. `fieldclaim key set < key.txt`',
          );
        const status = await app.setKey(text);
        return {
          json: { stored: status.stored, backend: status.backend },
          text: `Key stored (${status.backend}).${status.notice ? `\n${status.notice}` : ''}`,
        };
      }),
    );
  key.command('status').action(() =>
    run(async (app) => {
      const status = await app.keyStatus();
      return {
        json: { stored: status.stored, backend: status.backend },
        text: status.stored
          ? `A key is stored (${status.backend}).`
          : `No key is stored.${status.notice ? ` ${status.notice}` : ''}`,
      };
    }),
  );
  key.command('clear').action(() =>
    run(async (app) => {
      await app.clearKey();
      return { json: { stored: false }, text: 'Key removed.' };
    }),
  );

  program
    .command('ports')
    .description('list serial ports, Nordic boards recognised')
    .action(() =>
      run(async (app) => {
        const ports = await app.listPorts();
        const text = ports.length
          ? ports
              .map((p) =>
                `${p.console ? '*' : ' '} ${p.path}  ${p.board ?? ''} ${p.serialNumber ?? ''}`.trimEnd(),
              )
              .join('\n')
          : 'No serial ports found. Plug in a board, or give a port path to `scan --port`.';
        return { json: ports, text };
      }),
    );

  program
    .command('scan')
    .description("read a device's attestation token and queue its claim")
    .option('--port <path>', 'serial port of the board')
    .option('--all', 'every recognised Nordic console port, in parallel')
    .option('--watch', 'keep watching: read each board as it is plugged in (Ctrl-C stops)')
    .addOption(
      new Option('--mode <mode>', 'how to talk to the board').choices([...readModes]).default('auto'),
    )
    .option('--tag <tag>', 'tag to add (repeatable)', collect, [])
    .option('--timeout-ms <n>', 'deadline for each exchange', positiveInt('--timeout-ms'))
    .option('--baud <n>', 'baud rate', positiveInt('--baud'))
    .addOption(new Option('--line-ending <ending>', 'command terminator').choices(['crlf', 'cr', 'lf']))
    .option('--rtscts', 'hardware flow control')
    .action((opts: ScanOptions) =>
      run(async (app) => {
        const tags = normalizeTags(opts.tag);
        if (!tags.ok) throw new CodedError('invalid-argument', `--tag: ${tags.reason}`);
        const serial = {
          mode: opts.mode,
          tags: tags.tags,
          timeoutMs: opts.timeoutMs,
          baudRate: opts.baud,
          lineEnding: opts.lineEnding,
          rtscts: opts.rtscts,
        };
        if ([opts.port, opts.all, opts.watch].filter(Boolean).length !== 1) {
          throw new CodedError('invalid-argument', 'give exactly one of --port PATH, --all or --watch');
        }
        if (opts.watch) return watchBoards(app, serial);
        if (opts.all) {
          const results = await app.station.readAll({
            ...serial,
            tags: [...app.settings.get().siteTags, ...tags.tags],
          });
          const json = results.map((r) => ('error' in r ? r : scanJson(r)));
          const text = results
            .map((r) => ('error' in r ? `${r.port}: ${r.error}` : formatScan(r)))
            .join('\n');
          return {
            json,
            text,
            exitCode: results.some((r) => 'error' in r) ? exitCodes.failed : exitCodes.success,
          };
        }
        const result = await app.readPort({
          ...serial,
          port: opts.port!,
          tags: [...app.settings.get().siteTags, ...tags.tags],
        });
        return { json: scanJson(result), text: formatScan(result) };
      }),
    );

  program
    .command('import <file>')
    .description("queue claims from a token CSV (bulk format, or the gather tool's output)")
    .option('--tag <tag>', 'tag to add to every row (repeatable)', collect, [])
    .action((file: string, opts: { tag: string[] }) =>
      run(async (app) => {
        const progress = process.stderr.isTTY
          ? (f: number) => process.stderr.write(`\rimport: ${Math.round(f * 100)}%   `)
          : undefined;
        const result = await app.importFile(file, opts.tag, progress);
        if (progress) process.stderr.write('\n');
        const lines = [
          `Queued ${result.queued} claim(s); ${result.duplicates} duplicate(s); ${result.rejected.length} row(s) rejected.`,
        ];
        for (const r of result.rejected) lines.push(`  ${file}, row ${r.row}: ${r.reason}`);
        return {
          json: result,
          text: lines.join('\n'),
          // Rows were refused: bad input, said row by row (the valid rows are queued).
          exitCode: result.rejected.length ? exitCodes.usage : exitCodes.success,
        };
      }),
    );

  program
    .command('diagnostics <file>')
    .description('save the diagnostics report for support (no key, no whole token)')
    .action((file: string) =>
      run(async (app) => {
        const report = await app.diagnostics();
        writeFileSync(file, report.text, { mode: 0o600 });
        return {
          json: { file, bytes: Buffer.byteLength(report.text) },
          text: `Diagnostics saved to ${file}: send it to support.`,
        };
      }),
    );

  program
    .command('export <file>')
    .description(
      'write pending claims as bulk-format CSV (--what queue), or the site report (--what devices)',
    )
    .addOption(new Option('--what <what>').choices(['queue', 'devices']).default('queue'))
    .action((file: string, opts: { what: 'queue' | 'devices' }) =>
      run(async (app) => {
        const { rows, csv } = opts.what === 'queue' ? app.exportQueue() : app.siteReport();
        try {
          writeFileSync(file, csv);
        } catch (err) {
          throw new CodedError('invalid-argument', `Cannot write ${file}: ${(err as Error).message}`);
        }
        return { json: { rows, file }, text: `Wrote ${rows} row(s) to ${file}.` };
      }),
    );

  program
    .command('queue')
    .description('list outbox entries')
    .addOption(new Option('--state <state>').choices([...entryStates, 'all']).default('all'))
    .action((opts: { state: (typeof entryStates)[number] | 'all' }) =>
      run(async (app) => {
        const entries = app.queue(opts.state);
        const json = entries.map((e) => ({
          id: e.id,
          kind: e.kind,
          deviceId: e.deviceId,
          state: e.state,
          attempts: e.attempts,
          lastError: e.lastError,
          createdAt: e.createdAt,
        }));
        return { json, text: formatQueue(entries) };
      }),
    );

  program
    .command('retry [id]')
    .description('put failed entries back in line')
    .option('--all-failed', 'every failed entry')
    .action((id: string | undefined, opts: { allFailed?: boolean }) =>
      run(async (app) => {
        if (!id && !opts.allFailed)
          throw new CodedError('invalid-argument', 'give an entry id or --all-failed');
        const result = app.retry(opts.allFailed ? 'all-failed' : id!);
        return {
          json: result,
          text: `${result.requeued} entr${result.requeued === 1 ? 'y' : 'ies'} back in line.`,
        };
      }),
    );

  program
    .command('discard <id>')
    .description('drop an entry that has not been sent')
    .action((id: string) =>
      run(async (app) => {
        const result = app.discard(id);
        return {
          json: result,
          text: result.discarded
            ? 'Entry discarded.'
            : 'Nothing discarded: the entry is being sent or is already done.',
          exitCode: result.discarded ? exitCodes.success : exitCodes.failed,
        };
      }),
    );

  program
    .command('sync')
    .description('send the outbox, then refresh the device list')
    .option('--batch-size <n>', 'claims per bulk request (at most 1000)', positiveInt('--batch-size'))
    .action((opts: { batchSize?: number }) =>
      run(async (app) => {
        if (opts.batchSize !== undefined && opts.batchSize > 1000) {
          throw new CodedError('invalid-argument', '--batch-size: at most 1000 claims per request');
        }
        const unsubscribe = process.stderr.isTTY ? app.on('syncProgress', showProgress) : () => undefined;
        const summary = await app.sync({ batchSize: opts.batchSize });
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

  program
    .command('devices')
    .description('the local copy of claimed devices')
    .option('--tag <tag>', 'only devices with this tag')
    .option('--status <status>', 'only devices with this status (READY, BLOCKED)')
    .option('--search <text>', 'part of a device UUID or IMEI')
    .action((opts: { tag?: string; status?: string; search?: string }) =>
      run(async (app) => {
        const devices = app
          .devices({ search: opts.search })
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
      .action((id: string) => run(async (app) => changeOutcome(app.changes.device(kind, id))));
  }
  program
    .command('set-tags <id> <tags>')
    .description("queue a device's new tag list (comma-separated; '' for none)")
    .action((id: string, tags: string) =>
      run(async (app) => changeOutcome(app.changes.setTags(id, tags.split(',')))),
    );

  const tags = program.command('tags').description('list tags, or queue tag changes');
  tags.action(() =>
    run(async (app) => {
      const list = app.tags();
      const text = list.length
        ? list
            .map(
              (t) =>
                `${t.tag}  (${t.devices} device${t.devices === 1 ? '' : 's'})${t.description ? `  ${t.description}` : ''}`,
            )
            .join('\n')
        : 'No tags. Create one with `fieldclaim tags create NAME`.';
      return { json: list, text };
    }),
  );
  tags
    .command('create <name>')
    .option('--description <text>', 'what the tag means', '')
    .action((name: string, opts: { description: string }) =>
      run(async (app) => changeOutcome(app.changes.createTag(name, opts.description))),
    );
  tags
    .command('update <name>')
    .option('--to <new>', 'new name (applies to every device carrying it)')
    .option('--description <text>', 'new description')
    .action((name: string, opts: { to?: string; description?: string }) =>
      run(async (app) => changeOutcome(app.changes.updateTag(name, opts))),
    );
  tags
    .command('delete <name>')
    .description('queue deleting a tag (removes it from every device)')
    .action((name: string) => run(async (app) => changeOutcome(app.changes.deleteTag(name))));
  return program;
}

interface ScanOptions {
  port?: string;
  all?: boolean;
  watch?: boolean;
  mode: (typeof readModes)[number];
  tag: string[];
  timeoutMs?: number;
  baud?: number;
  lineEnding?: 'crlf' | 'cr' | 'lf';
  rtscts?: boolean;
}

/** The contract's scan fields, plus where and how the board was read. */
function scanJson(result: ScanResult) {
  const { port, ...rest } = result;
  return { ...rest, port };
}

/** Station mode on the command line: prints each board as it is read, until interrupted. */
function watchBoards(
  app: Fieldclaim,
  serial: { mode: (typeof readModes)[number]; tags: string[] },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const reported = new Map<string, string>();
    app.on('stationChanged', (tiles) => {
      for (const tile of tiles) {
        const line =
          tile.result && (tile.state === 'queued' || tile.state === 'already-queued')
            ? formatScan(tile.result)
            : tile.state === 'error'
              ? `${tile.path}: ${tile.error}`
              : null;
        if (line && reported.get(tile.path) !== line) {
          reported.set(tile.path, line);
          process.stdout.write(`${line}\n`);
        }
      }
    });
    // Ctrl-C is handled before the line that promises it is printed: a Ctrl-C right after that line
    // must stop the watch, not kill the process.
    process.once('SIGINT', () => {
      app.station.stopWatch();
      resolve({ json: [...reported.keys()], text: `Stopped; ${reported.size} port(s) read.` });
    });
    app.station.startWatch({ mode: serial.mode, tags: [...app.settings.get().siteTags, ...serial.tags] });
    process.stderr.write('Watching for boards; plug one in (Ctrl-C stops).\n');
  });
}

function changeOutcome(change: { kind: string }): Outcome {
  return {
    json: { queued: true, kind: change.kind },
    text: `Queued: ${change.kind}. Run \`fieldclaim sync\` to send it.`,
  };
}

async function main(argv: string[]): Promise<number> {
  let exitCode: number = exitCodes.success;
  let json = argv.includes('--json');
  const program = buildProgram(async (work) => {
    const global = program.opts<GlobalOptions>();
    json = Boolean(global.json);
    const app = openApp(global);
    try {
      const outcome = await work(app, global);
      process.stdout.write(json ? `${JSON.stringify(outcome.json)}\n` : `${outcome.text}\n`);
      exitCode = outcome.exitCode ?? exitCodes.success;
    } catch (err) {
      app.log.error('cli', (err as Error).message ?? String(err));
      throw err;
    } finally {
      app.close();
    }
  });
  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (err.exitCode === 0) return 0;
      if (json)
        process.stdout.write(
          `${JSON.stringify({ error: { code: 'invalid-argument', message: err.message } })}\n`,
        );
      return exitCodes.usage;
    }
    const coded =
      err instanceof CodedError ? err : new CodedError('internal', (err as Error).message ?? String(err));
    if (json)
      process.stdout.write(`${JSON.stringify({ error: { code: coded.code, message: coded.message } })}\n`);
    process.stderr.write(`fieldclaim: ${coded.message}\n`);
    return exitCodeForError(coded.code);
  }
  return exitCode;
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
