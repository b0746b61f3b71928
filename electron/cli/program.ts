import { Command, CommanderError, Option } from 'commander';
import { version } from '../../package.json';
import { CodedError } from '../shared/result';
import { stages, type Settings } from '../shared/types';
import { registerDevices } from './commands/devices';
import { registerKey } from './commands/key';
import { registerQueue } from './commands/queue';
import { registerScan } from './commands/scan';
import { registerTokenFiles } from './commands/tokens';
import { exitCodeForError, exitCodes } from './exit-codes';
import type { GlobalOptions, Outcome, Runner } from './options';

/** Where the CLI runs from: the worker thread's file sits next to the entry that was started. */
export interface CliHost {
  /** The worker thread's entry file; null to read token files on the calling thread (inside an app archive). */
  tokenFileReader: string | null;
  /** 'the command line', or the installed app run as one. */
  label: string;
}

export function buildProgram(run: Runner): Command {
  const program = new Command('fieldclaim')
    .description('Claim Nordic nRF91 devices in nRF Cloud, offline first')
    .version(version)
    .option('--data-dir <dir>', 'folder that holds the database (env FIELDCLAIM_DATA_DIR)')
    .addOption(new Option('--stage <stage>', 'which Provisioning API host').choices([...stages]))
    .option('--api-url <url>', 'explicit API base URL (loopback test servers; env FIELDCLAIM_API_URL)')
    .option('--json', 'print exactly one JSON document on stdout')
    .exitOverride();
  registerKey(program, run);
  registerScan(program, run);
  registerTokenFiles(program, run);
  registerQueue(program, run);
  registerDevices(program, run);
  return program;
}

/** The app's services for one command; loaded only when a command needs them (native modules included). */
async function openApp(options: GlobalOptions, host: CliHost) {
  const [{ Fieldclaim }, { defaultDataDir }, { Worker }, { fetchForEnvironment }] = await Promise.all([
    import('../services/fieldclaim'),
    import('../services/data-dir'),
    import('node:worker_threads'),
    import('../adapters/api/proxy-fetch'),
  ]);
  const overrides: Partial<Settings> = {};
  if (options.stage) overrides.stage = options.stage;
  const apiUrl = options.apiUrl ?? process.env.FIELDCLAIM_API_URL;
  if (apiUrl) overrides.apiUrl = apiUrl;
  return new Fieldclaim({
    dataDir: options.dataDir ?? process.env.FIELDCLAIM_DATA_DIR ?? defaultDataDir(),
    envApiKey: process.env.FIELDCLAIM_API_KEY || null,
    settingsOverrides: overrides,
    userAgent: `Fieldclaim/${version} (${process.platform}; cli)`,
    fetch: fetchForEnvironment(),
    processLabel: host.label,
    // A headless run waits out short backoffs and rate-limit pauses instead of leaving work behind.
    syncMaxWaitMs: 30_000,
    build: __FIELDCLAIM_BUILD__,
    startTokenFileThread:
      host.tokenFileReader === null
        ? undefined
        : (workerData, transferList) =>
            // A small heap: the reader's garbage is collected as it goes, so memory does not grow with the file.
            new Worker(host.tokenFileReader!, {
              workerData,
              transferList,
              resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
            }),
  });
}

/** Waits for stdout to take more when its buffer is full: a long list is written at the pace it is read. */
function writeOut(text: string): Promise<void> | void {
  if (!process.stdout.write(text)) return new Promise((resolve) => process.stdout.once('drain', resolve));
}

async function writeRows(
  outcome: Extract<Outcome, { rows: Iterable<unknown> }>,
  json: boolean,
): Promise<void> {
  let first = true;
  for (const row of outcome.rows) {
    const asJson = () => JSON.stringify(outcome.asJson ? outcome.asJson(row as never) : row);
    await writeOut(json ? `${first ? '[' : ','}${asJson()}` : `${outcome.line(row as never)}\n`);
    first = false;
  }
  if (json) await writeOut(first ? '[]\n' : ']\n');
  else if (first) await writeOut(`${outcome.empty}\n`);
}

/** Runs the command line on `argv` (node-style: the first two are the runtime and the script); returns the exit code. */
export async function runCli(argv: string[], host: CliHost): Promise<number> {
  let exitCode: number = exitCodes.success;
  let json = argv.includes('--json');
  const program = buildProgram(async (work) => {
    const global = program.opts<GlobalOptions>();
    json = Boolean(global.json);
    const app = await openApp(global, host);
    try {
      const outcome = await work(app, global);
      if ('rows' in outcome) await writeRows(outcome, json);
      else process.stdout.write(json ? `${JSON.stringify(outcome.json)}\n` : `${outcome.text}\n`);
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
