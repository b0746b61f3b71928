import { Option, type Command } from 'commander';
import { normalizeTags } from '../../core/tags';
import { CodedError } from '../../shared/result';
import { readModes, type ReadMode, type ScanResult } from '../../shared/types';
import { exitCodes } from '../exit-codes';
import { collect, intAtLeast, type Outcome, type Runner } from '../options';
import { formatPorts, formatScan, text } from '../text';
import type { Fieldclaim } from '../../services/fieldclaim';

interface ScanOptions {
  port?: string;
  serialNumber?: string;
  all?: boolean;
  watch?: boolean;
  mode: ReadMode;
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

export function registerScan(program: Command, run: Runner): void {
  program
    .command('ports')
    .description('list serial ports, Nordic boards recognised')
    .action(() =>
      run(async (app) => {
        const ports = await app.station.listPorts();
        return { json: ports, text: formatPorts(ports) };
      }),
    );

  program
    .command('scan')
    .description("read a device's attestation token and queue its claim")
    .option('--port <path>', 'serial port of the board')
    .option('--serial-number <sn>', 'the board with this USB serial number (as on its label)')
    .option('--all', 'every recognised Nordic console port, in parallel')
    .option('--watch', 'keep watching: read each board as it is plugged in (Ctrl-C stops)')
    .addOption(
      new Option('--mode <mode>', 'how to talk to the board').choices([...readModes]).default('auto'),
    )
    .option('--tag <tag>', 'tag to add (repeatable)', collect, [])
    .option('--timeout-ms <n>', 'deadline for each exchange', intAtLeast('--timeout-ms'))
    .option('--baud <n>', 'baud rate', intAtLeast('--baud'))
    .addOption(new Option('--line-ending <ending>', 'command terminator').choices(['crlf', 'cr', 'lf']))
    .option('--rtscts', 'hardware flow control')
    .action((opts: ScanOptions) =>
      run(async (app) => {
        const tags = normalizeTags(opts.tag);
        if (!tags.ok) throw new CodedError('invalid-argument', `--tag: ${tags.reason}`);
        const serial = {
          mode: opts.mode,
          // The station puts the site's and the session's tags first, as for every read.
          tags: tags.tags,
          timeoutMs: opts.timeoutMs,
          baudRate: opts.baud,
          lineEnding: opts.lineEnding,
          rtscts: opts.rtscts,
        };
        if ([opts.port, opts.serialNumber, opts.all, opts.watch].filter(Boolean).length !== 1)
          throw new CodedError('invalid-argument', text.oneScanTarget);
        if (opts.watch) return watchBoards(app, serial);
        if (opts.serialNumber) {
          const result = await app.station.readBySerialNumber(opts.serialNumber, serial);
          return { json: scanJson(result), text: formatScan(result) };
        }
        if (opts.all) {
          const results = await app.station.readAll(serial);
          return {
            json: results.map((r) => ('error' in r ? r : scanJson(r))),
            text: results.map((r) => ('error' in r ? `${r.port}: ${r.error}` : formatScan(r))).join('\n'),
            exitCode: results.some((r) => 'error' in r) ? exitCodes.failed : exitCodes.success,
          };
        }
        const result = await app.station.read({ ...serial, port: opts.port! });
        return { json: scanJson(result), text: formatScan(result) };
      }),
    );
}

/** Station mode on the command line: prints each board as it is read, until interrupted. */
function watchBoards(
  app: Fieldclaim,
  serial: Parameters<Fieldclaim['station']['startWatch']>[0],
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
      resolve({ json: [...reported.keys()], text: text.watchStopped(reported.size) });
    });
    app.station.startWatch(serial);
    process.stderr.write(`${text.watching}\n`);
  });
}
